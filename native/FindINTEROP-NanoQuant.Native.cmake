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
list(APPEND NanoQuant.Native_INCLUDE_DIRS ${NANOQUANT_SOURCE_DIR}/native/kernels)

# The MDP-generated table and the glue (C++), and the C99 kernels compiled as C.
list(APPEND NanoQuant.Native_SOURCES
    ${NANOQUANT_SOURCE_DIR}/native/interop/NanoQuant_Native.cpp
    ${NANOQUANT_SOURCE_DIR}/native/interop/NanoQuant_Native_NanoQuant_Native_NativeKernels.cpp)
file(GLOB NANOQUANT_KERNEL_SOURCES ${NANOQUANT_SOURCE_DIR}/native/kernels/*.c)
list(APPEND NanoQuant.Native_SOURCES ${NANOQUANT_KERNEL_SOURCES})

# Optional vendor kernels for CONV_2D, FULLY_CONNECTED and (CMSIS-NN) DEPTHWISE_CONV_2D (native/kernels/vendor.h):
#   -DNANOQUANT_VENDOR=CMSIS_NN -DCMSIS_NN_SOURCE_DIR=/path/to/CMSIS-NN   (STM32: ARM's CMSIS-NN repository)
#   -DNANOQUANT_VENDOR=ESP_NN   -DESP_NN_SOURCE_DIR=/path/to/esp-nn       (ESP32: Espressif's esp-nn; on ESP-IDF its
#                                                                          component can provide the sources instead)
if(NANOQUANT_VENDOR STREQUAL "CMSIS_NN")
    add_compile_definitions(NQ_VENDOR_CMSIS_NN)
    file(GLOB NANOQUANT_VENDOR_SOURCES ${NANOQUANT_SOURCE_DIR}/native/kernels/cmsis_nn/*.c)
    file(GLOB_RECURSE CMSIS_NN_SOURCES ${CMSIS_NN_SOURCE_DIR}/Source/*.c)
    list(FILTER CMSIS_NN_SOURCES EXCLUDE REGEX "_f(16|32)\\.c$")
    list(APPEND NanoQuant.Native_SOURCES ${NANOQUANT_VENDOR_SOURCES} ${CMSIS_NN_SOURCES})
    list(APPEND NanoQuant.Native_INCLUDE_DIRS ${CMSIS_NN_SOURCE_DIR}/Include)
elseif(NANOQUANT_VENDOR STREQUAL "ESP_NN")
    add_compile_definitions(NQ_VENDOR_ESP_NN)
    file(GLOB NANOQUANT_VENDOR_SOURCES ${NANOQUANT_SOURCE_DIR}/native/kernels/esp_nn/*.c)
    list(APPEND NanoQuant.Native_SOURCES ${NANOQUANT_VENDOR_SOURCES})
    if(ESP_NN_SOURCE_DIR)
        list(APPEND NanoQuant.Native_INCLUDE_DIRS ${ESP_NN_SOURCE_DIR}/include ${ESP_NN_SOURCE_DIR}/src/common)
    endif()
elseif(NANOQUANT_VENDOR)
    message(FATAL_ERROR "NanoQuant.Native: NANOQUANT_VENDOR must be CMSIS_NN or ESP_NN, not '${NANOQUANT_VENDOR}'")
endif()

include(FindPackageHandleStandardArgs)
FIND_PACKAGE_HANDLE_STANDARD_ARGS(NanoQuant.Native DEFAULT_MSG NanoQuant.Native_INCLUDE_DIRS NanoQuant.Native_SOURCES)
