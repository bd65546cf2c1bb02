namespace NanoQuant.NanoClr
{
    /// <summary>
    /// The id of a resource in the run-data assembly. The host names each resource and writes the id
    /// MetadataProcessor gives that name (a 16-bit hash) into the run configuration; the runner casts
    /// the number to this enum because nanoFramework's ResourceUtility takes resource ids as enums.
    /// </summary>
    public enum ResourceId : short
    {
        /// <summary>The run configuration (a binary resource named "config" holding ASCII text).</summary>
        Config = 0,
    }
}
