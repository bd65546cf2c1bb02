namespace NanoQuant.Host.Training;

/// <summary>How the learning rate changes over the steps of one <see cref="Trainer.Fit"/>.</summary>
public enum LearningRateSchedule
{
    /// <summary>The same rate at every step.</summary>
    Constant,

    /// <summary>Cosine decay: step k of K takes the rate × ½(1 + cos(π k / K)), the full rate first, nearly 0 last.</summary>
    Cosine,
}
