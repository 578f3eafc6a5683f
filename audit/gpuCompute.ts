/**
 * Relative compute of one GPU, in dense FP16/BF16 tensor TFLOPS (no sparsity), from the vendors' data
 * sheets: T4 65, A10G 70 (AWS quotes the A10G below the A10's 125 because of its lower clocks; the
 * commonly cited figure is ~70), L4 121, L40S 362, A100 312, H100 SXM 989. Used only to refuse a "smaller"
 * type that cannot carry the observed load; a model missing here gets no smaller-type advice.
 */
export const GPU_TENSOR_TFLOPS: Readonly<Record<string, number>> = {
    "NVIDIA T4": 65,
    "NVIDIA T4G": 65,
    "NVIDIA A10G": 70,
    "NVIDIA L4": 121,
    "NVIDIA L40S": 362,
    "NVIDIA A100": 312,
    "NVIDIA H100": 989,
};

export function gpuTflops(model: string | undefined): number | undefined {
    return model === undefined ? undefined : GPU_TENSOR_TFLOPS[model];
}
