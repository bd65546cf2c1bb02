//
// nanoQuant: the method bodies of the stub `mdp -generateskeleton` wrote for NanoQuant.Native
// (NanoQuant_Native_NanoQuant_Native_NativeKernels.cpp). NanoQuant_Native.cpp/.h are kept exactly as
// generated: they carry the native checksum that ties this code to NanoQuant.Native.pe.
// Each call hands the arrays nanoCLR holds to nq_run (native/kernels), which checks every
// index against the arrays' lengths before it runs the operator.
//

#include "NanoQuant_Native.h"
#include "nanoquant_kernels.h"

// An sbyte[] or int[] argument: its first element and length, or null and 0.
static const int8_t *Int8Array(CLR_RT_HeapBlock &arg, int32_t &length)
{
    CLR_RT_HeapBlock_Array *array = arg.DereferenceArray();
    length = array == nullptr ? 0 : (int32_t)array->m_numOfElements;
    return array == nullptr ? nullptr : (const int8_t *)array->GetFirstElement();
}

static const int32_t *Int32Array(CLR_RT_HeapBlock &arg, int32_t &length)
{
    CLR_RT_HeapBlock_Array *array = arg.DereferenceArray();
    length = array == nullptr ? 0 : (int32_t)array->m_numOfElements;
    return array == nullptr ? nullptr : (const int32_t *)array->GetFirstElement();
}

HRESULT Library_NanoQuant_Native_NanoQuant_Native_NativeKernels::NativeAbiVersion___STATIC__I4(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();

    stack.SetResult_I4(NQ_ABI_VERSION);

    NANOCLR_NOCLEANUP_NOLABEL();
}

HRESULT Library_NanoQuant_Native_NanoQuant_Native_NativeKernels::
    RunOperator___STATIC__VOID__SZARRAY_I4__SZARRAY_I1__SZARRAY_I1__SZARRAY_I1__SZARRAY_I4__SZARRAY_I4__SZARRAY_I4__SZARRAY_I4(
        CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();

    int32_t parameterCount;
    int32_t inputLength;
    int32_t secondLength;
    int32_t outputLength;
    int32_t length0;
    int32_t length1;
    int32_t length2;
    int32_t length3;
    const int32_t *parameters = Int32Array(stack.Arg0(), parameterCount);
    const int8_t *input = Int8Array(stack.Arg1(), inputLength);
    const int8_t *second = Int8Array(stack.Arg2(), secondLength);
    int8_t *output = (int8_t *)Int8Array(stack.Arg3(), outputLength);
    const int32_t *table0 = Int32Array(stack.Arg4(), length0);
    const int32_t *table1 = Int32Array(stack.Arg5(), length1);
    const int32_t *table2 = Int32Array(stack.Arg6(), length2);
    const int32_t *table3 = Int32Array(stack.Arg7(), length3);

    FAULT_ON_NULL_ARG(parameters);
    if (nq_run(parameters, parameterCount, input, inputLength, second, secondLength, output, outputLength, table0, length0,
               table1, length1, table2, length2, table3, length3) != NQ_OK)
    {
        NANOCLR_SET_AND_LEAVE(CLR_E_INVALID_PARAMETER);
    }

    NANOCLR_NOCLEANUP();
}

HRESULT Library_NanoQuant_Native_NanoQuant_Native_NativeKernels::NativeKernelFor___STATIC__I4__SZARRAY_I4(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();

    int32_t parameterCount;
    const int32_t *parameters = Int32Array(stack.Arg0(), parameterCount);

    FAULT_ON_NULL_ARG(parameters);
    stack.SetResult_I4(nq_kernel_for(parameters, parameterCount));

    NANOCLR_NOCLEANUP();
}
