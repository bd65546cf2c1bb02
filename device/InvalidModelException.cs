using System;

namespace NanoQuant
{
    /// <summary>
    /// The one exception the loader throws for a device model it cannot accept: a bad header,
    /// checksum, offset, length, shape, operator parameter or tensor reference. The message names
    /// what is wrong and where.
    /// </summary>
    public class InvalidModelException : Exception
    {
        /// <summary>Creates the exception with a message naming the problem.</summary>
        public InvalidModelException(string message)
            : base(message)
        {
        }
    }
}
