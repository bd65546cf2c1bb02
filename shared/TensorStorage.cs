namespace NanoQuant.Format
{
    /// <summary>Where a tensor's bytes live at run time.</summary>
    public enum TensorStorage : byte
    {
        /// <summary>In the activation arena, at the offset the host's memory plan chose.</summary>
        Arena = 0,

        /// <summary>In the model's constant section.</summary>
        Constant = 1,
    }
}
