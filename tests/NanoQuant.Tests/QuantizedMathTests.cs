namespace NanoQuant.Tests;

/// <summary>The flattened requantization equals gemmlowp's composition on edge cases and a million random operands.</summary>
public class QuantizedMathTests
{
    private static int Composition(int x, int multiplier, int shift)
    {
        int left = shift > 0 ? shift : 0;
        int right = shift > 0 ? 0 : -shift;
        return QuantizedMath.RoundingDivideByPot(QuantizedMath.SaturatingRoundingDoublingHighMul(unchecked(x * (1 << left)), multiplier), right);
    }

    [Fact]
    public void MultiplyByQuantizedMultiplier_equals_the_composition()
    {
        int[] xs = [0, 1, -1, 2, -2, 127, -128, 255, -255, 1 << 20, -(1 << 20), int.MaxValue, int.MinValue, int.MaxValue - 1, int.MinValue + 1, 12345678, -12345678];
        int[] multipliers = [0, 1, 1 << 30, (1 << 30) + 1, int.MaxValue, 1518500250, 1073741824, 2147483000, int.MinValue];
        for (int shift = QuantizedMath.MinShift; shift <= QuantizedMath.MaxShift; shift++)
        {
            foreach (int x in xs)
            {
                foreach (int m in multipliers)
                {
                    Assert.True(Composition(x, m, shift) == QuantizedMath.MultiplyByQuantizedMultiplier(x, m, shift), $"x {x} m {m} shift {shift}");
                }
            }
        }

        var random = new Random(42);
        for (int i = 0; i < 1_000_000; i++)
        {
            int x = random.Next(4) == 0 ? random.Next(-70000, 70000) : random.Next(int.MinValue, int.MaxValue);
            int m = random.Next(1 << 30, int.MaxValue);
            int shift = random.Next(QuantizedMath.MinShift, QuantizedMath.MaxShift + 1);
            Assert.Equal(Composition(x, m, shift), QuantizedMath.MultiplyByQuantizedMultiplier(x, m, shift));
        }
    }

    [Fact]
    public void Split_requantization_equals_MultiplyByQuantizedMultiplier_for_non_negative_multipliers()
    {
        int[] shifts = new int[QuantizedMath.MaxShift - QuantizedMath.MinShift + 1];
        for (int i = 0; i < shifts.Length; i++)
        {
            shifts[i] = QuantizedMath.MinShift + i;
        }

        int[] lefts = Requantization.LeftShifts(shifts);
        int[] rights = Requantization.RightShifts(shifts);
        int[] roundings = Requantization.Roundings(shifts);
        int[] xs = [0, 1, -1, 2, -2, 3, -3, 127, -128, 255, -255, 1 << 20, -(1 << 20), int.MaxValue, int.MinValue, int.MaxValue - 1, int.MinValue + 1, 12345678, -12345678];
        int[] multipliers = [0, 1, 1 << 30, (1 << 30) + 1, int.MaxValue, 1518500250, 1073741824, 2147483000];
        for (int s = 0; s < shifts.Length; s++)
        {
            foreach (int x in xs)
            {
                foreach (int m in multipliers)
                {
                    Assert.True(QuantizedMath.MultiplyByQuantizedMultiplier(x, m, shifts[s]) == Requantization.Apply(x, m, lefts[s], rights[s], roundings[s]), $"x {x} m {m} shift {shifts[s]}");
                }
            }
        }

        var random = new Random(7);
        for (int i = 0; i < 1_000_000; i++)
        {
            int x = random.Next(4) == 0 ? random.Next(-70000, 70000) : random.Next(int.MinValue, int.MaxValue);
            int m = random.Next(2) == 0 ? random.Next(1 << 30, int.MaxValue) : random.Next(0, int.MaxValue);
            int s = random.Next(shifts.Length);
            Assert.Equal(QuantizedMath.MultiplyByQuantizedMultiplier(x, m, shifts[s]), Requantization.Apply(x, m, lefts[s], rights[s], roundings[s]));
        }
    }

    [Fact]
    public void Folded_requantization_equals_MultiplyByQuantizedMultiplier_plus_offset()
    {
        int[] xs = [0, 1, -1, 2, -2, 3, -3, 127, -128, 255, -255, 1 << 20, -(1 << 20), int.MaxValue, int.MinValue, int.MaxValue - 1, int.MinValue + 1, 12345678, -12345678];
        int[] multipliers = [0, 1, 1 << 30, (1 << 30) + 1, int.MaxValue, 1518500250, 1073741824, 2147483000];
        int[] offsets = [0, 1, -1, 5, -128, 127, 42];
        for (int right = 0; right <= Requantization.MaxFoldedRightShift; right++)
        {
            foreach (int x in xs)
            {
                foreach (int m in multipliers)
                {
                    foreach (int offset in offsets)
                    {
                        int expected = unchecked(QuantizedMath.MultiplyByQuantizedMultiplier(x, m, -right) + offset);
                        Assert.True(expected == Requantization.ApplyFolded(x, m, right, offset), $"x {x} m {m} right {right} offset {offset}");
                    }
                }
            }
        }

        // Around the branch point x × m = −2^30 and around every rounding tie of the right shift.
        var random = new Random(11);
        for (int i = 0; i < 1_000_000; i++)
        {
            int m = random.Next(2) == 0 ? random.Next(1 << 30, int.MaxValue) : random.Next(0, int.MaxValue);
            int right = random.Next(Requantization.MaxFoldedRightShift + 1);
            int offset = random.Next(-128, 128);
            int x = random.Next(3) switch
            {
                0 => random.Next(-70000, 70000),
                1 => m == 0 ? 0 : (int)Math.Clamp((-(1L << 30) / m) + random.Next(-3, 4), int.MinValue, int.MaxValue),
                _ => random.Next(int.MinValue, int.MaxValue),
            };
            Assert.Equal(unchecked(QuantizedMath.MultiplyByQuantizedMultiplier(x, m, -right) + offset), Requantization.ApplyFolded(x, m, right, offset));
        }
    }

    [Fact]
    public void Known_values_from_TFLite()
    {
        // 0.5 = 2^30 / 2^31 with shift 0. The doubling high multiply's nudge rounds a positive tie up
        // and a negative tie toward zero (gemmlowp): 1.5 → 2, −1.5 → −1.
        Assert.Equal(50, QuantizedMath.MultiplyByQuantizedMultiplier(100, 1 << 30, 0));
        Assert.Equal(-50, QuantizedMath.MultiplyByQuantizedMultiplier(-100, 1 << 30, 0));
        Assert.Equal(2, QuantizedMath.MultiplyByQuantizedMultiplier(3, 1 << 30, 0));
        Assert.Equal(-1, QuantizedMath.MultiplyByQuantizedMultiplier(-3, 1 << 30, 0));
        Assert.Equal(25, QuantizedMath.MultiplyByQuantizedMultiplier(100, 1 << 30, -1));
        Assert.Equal(200, QuantizedMath.MultiplyByQuantizedMultiplier(100, 1 << 30, 2));
    }
}
