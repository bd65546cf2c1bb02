#
# nanoQuant's native kernels as an nf-interpreter Interop assembly (for ESP32 and STM32 firmware builds).
# Copy this file to nf-interpreter/CMake/Modules/ and configure the firmware with
#   -DNF_INTEROP_ASSEMBLIES=NanoQuant.Native -DNANOQUANT_SOURCE_DIR=/path/to/nanoQuant
# (see hardware/README.md, "Native kernels"). nf-interpreter then registers g_CLR_AssemblyNative_NanoQuant_Native,
# the table native/interop/NanoQuant_Native.cpp defines.
#

if(NOT NANOQUANT_SOURCE_DIR)
    message(FATAL_ERROR "NanoQuant.Native: set NANOQUANT_SOURCE_DIR to the nanoQuant repository")
endif()

list(APPEND NanoQuant.Native_INCLUDE_DIRS ${PROJECT_SOURCE_DIR}/src/CLR/Core)
list(APPEND NanoQuant.Native_INCLUDE_DIRS ${PROJECT_SOURCE_DIR}/src/CLR/Include)
list(APPEND NanoQuant.Native_INCLUDE_DIRS ${PROJECT_SOURCE_DIR}/src/HAL/Include)
list(APPEND NanoQuant.Native_INCLUDE_DIRS ${PROJECT_SOURCE_DIR}/src/PAL/Include)
list(APPEND NanoQuant.Native_INCLUDE_DIRS ${NANOQUANT_SOURCE_DIR}/native/interop)
list(APPEND NanoQuant.Native_INCLUDE_DIRS ${NANOQUANT_SOURCE_DIR}/device/Native/kernels)

# The MDP-generated table and the glue (C++), and the C99 kernels compiled as C.
list(APPEND NanoQuant.Native_SOURCES
    ${NANOQUANT_SOURCE_DIR}/native/interop/NanoQuant_Native.cpp
    ${NANOQUANT_SOURCE_DIR}/native/interop/NanoQuant_Native_NanoQuant_Native_NativeKernels.cpp)
file(GLOB NANOQUANT_KERNEL_SOURCES ${NANOQUANT_SOURCE_DIR}/device/Native/kernels/*.c)
list(APPEND NanoQuant.Native_SOURCES ${NANOQUANT_KERNEL_SOURCES})

include(FindPackageHandleStandardArgs)
FIND_PACKAGE_HANDLE_STANDARD_ARGS(NanoQuant.Native DEFAULT_MSG NanoQuant.Native_INCLUDE_DIRS NanoQuant.Native_SOURCES)
