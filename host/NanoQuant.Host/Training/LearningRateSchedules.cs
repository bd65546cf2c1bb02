namespace NanoQuant.Host.Training;

/// <summary>The factor each <see cref="LearningRateSchedule"/> gives the learning rates.</summary>
public static class LearningRateSchedules
{
    /// <summary>
    /// The factor at step <paramref name="step"/> (from 0) of <paramref name="steps"/>; 1 where <paramref name="steps"/>
    /// is 0 (a step outside a <see cref="Trainer.Fit"/>).
    /// </summary>
    public static double Factor(this LearningRateSchedule schedule, long step, long steps) =>
        schedule == LearningRateSchedule.Cosine && steps > 0 ? 0.5 * (1 + Math.Cos(Math.PI * step / steps)) : 1;
}
