namespace NanoQuant.Host.Training;

/// <summary>Which model gives distillation's soft targets (<see cref="TrainingOptions.DistillTeacher"/>).</summary>
public enum DistillationTeacher
{
    /// <summary>The float model training started from, run on each sample as it is shown.</summary>
    Float,

    /// <summary>
    /// The plain post-training int8 device model of the same run (<see cref="Int8Teacher"/>), run once per training sample
    /// before training: on small data it can score above the float model it was quantized from.
    /// </summary>
    Int8,
}
