namespace NanoQuant
{
    /// <summary>
    /// Splits the arena into several arrays when it is larger than the largest array the runtime can
    /// allocate. nanoFramework allocates an object of at most 65,535 heap blocks: about 786 KB on 32-bit
    /// boards and 1.57 MB on the 64-bit nanoCLR. Cuts go only where no arena tensor straddles them, so each
    /// tensor lies whole in one array and kernels, which address <see cref="Tensor.Data"/> from
    /// <see cref="Tensor.Offset"/>, run unchanged. An arena that fits one array is one array, as before.
    /// </summary>
    internal static class ArenaSegments
    {
        /// <summary>
        /// Allocates the arena of <paramref name="arenaBytes"/> bytes as arrays of at most
        /// <paramref name="maxArrayBytes"/> and points every arena tensor into its array (its offset made
        /// relative to that array). Throws <see cref="InvalidModelException"/> when no such split exists.
        /// </summary>
        internal static sbyte[][] Attach(Tensor[] tensors, int arenaBytes, int maxArrayBytes)
        {
            int[] starts = Plan(tensors, arenaBytes, maxArrayBytes);
            sbyte[][] segments = new sbyte[starts.Length][];
            for (int s = 0; s < starts.Length; s++)
            {
                int end = s + 1 < starts.Length ? starts[s + 1] : arenaBytes;
                segments[s] = new sbyte[end - starts[s]];
            }

            for (int i = 0; i < tensors.Length; i++)
            {
                Tensor t = tensors[i];
                if (t.storage != Format.TensorStorage.Arena)
                {
                    continue;
                }

                // The last segment that starts at or before the tensor: the tensor does not cross a cut.
                int s = starts.Length - 1;
                while (starts[s] > t.offset)
                {
                    s--;
                }

                t.data = segments[s];
                t.offset -= starts[s];
            }

            return segments;
        }

        /// <summary>Start offsets of the arena's arrays (the first is 0), each array at most <paramref name="maxArrayBytes"/>.</summary>
        internal static int[] Plan(Tensor[] tensors, int arenaBytes, int maxArrayBytes)
        {
            if (arenaBytes <= maxArrayBytes)
            {
                return new int[] { 0 };
            }

            // At most one cut per tensor boundary: a cut is always at a tensor's start or end.
            int[] starts = new int[tensors.Length + 1];
            int count = 1;
            int start = 0;
            while (arenaBytes - start > maxArrayBytes)
            {
                int limit = start + maxArrayBytes;
                int best = -1;
                for (int i = 0; i < tensors.Length; i++)
                {
                    Tensor t = tensors[i];
                    if (t.storage != Format.TensorStorage.Arena)
                    {
                        continue;
                    }

                    int end = t.offset + t.byteLength;
                    if (t.offset > start && t.offset <= limit && t.offset > best && IsFree(tensors, t.offset))
                    {
                        best = t.offset;
                    }

                    if (end > start && end <= limit && end > best && IsFree(tensors, end))
                    {
                        best = end;
                    }
                }

                if (best < 0 || count == starts.Length)
                {
                    throw new InvalidModelException("arena of " + arenaBytes.ToString() + " bytes cannot be split into arrays of at most "
                        + maxArrayBytes.ToString() + " bytes (the largest array this runtime allocates): a tensor crosses every possible cut after offset " + start.ToString());
                }

                starts[count++] = best;
                start = best;
            }

            int[] result = new int[count];
            System.Array.Copy(starts, result, count);
            return result;
        }

        /// <summary>True when no arena tensor has bytes on both sides of <paramref name="cut"/>.</summary>
        private static bool IsFree(Tensor[] tensors, int cut)
        {
            for (int i = 0; i < tensors.Length; i++)
            {
                Tensor t = tensors[i];
                if (t.storage == Format.TensorStorage.Arena && t.offset < cut && cut < t.offset + t.byteLength)
                {
                    return false;
                }
            }

            return true;
        }
    }
}
