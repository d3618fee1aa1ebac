using System.Runtime.Intrinsics.X86;
using GnKernels.Simd;

namespace GnKernels.Tests.Simd;

/// <summary>
/// The skinny GEMMs of the Jacobian products on every path this CPU runs them: C += Sᵀ·D bit for bit against its
/// definition (per block of eight rows, fused multiply-adds in row order, the block's sum added to C), D·Qᵀ against a
/// compensated sum; shapes with ragged rows, columns and term groups; any split of rows or columns the same bits.
/// </summary>
public class SkinnyGemmTests
{
    public static TheoryData<SimdPath> Paths()
    {
        var paths = new TheoryData<SimdPath>();
        if (Avx512F.IsSupported) paths.Add(SimdPath.V512);
        if (Fma.IsSupported) paths.Add(SimdPath.V256);
        if (paths.Count == 0) paths.Add(SimdPath.Scalar); // without FMA: the kernels must refuse it (the products use BLAS)
        return paths;
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Transposed_product_is_its_definition_bit_for_bit(SimdPath path)
    {
        if (path == SimdPath.Scalar) { Assert.False(SkinnyGemm.Accelerates(SimdPath.Scalar) || SkinnyGemm.Accelerates(SimdPath.V128)); return; }
        var rng = new Random(3);
        foreach (int rows in new[] { 1, 7, 8, 19 })
            foreach (int cols in new[] { 1, 5, 16, 37, 64 })
                foreach (int terms in new[] { 1, 2, 5, 6, 10, 11, 23 })
                {
                    double[] d = Random(rng, rows * cols), s = Random(rng, rows * terms), start = Random(rng, terms * cols);
                    double[] c = (double[])start.Clone();
                    SkinnyGemm.AddTransposedProduct(path, ref d[0], cols, rows, ref s[0], terms, terms, ref c[0], cols, 0, cols);
                    for (int t = 0; t < terms; t++)
                        for (int j = 0; j < cols; j++)
                        {
                            double expected = start[t * cols + j];
                            for (int r0 = 0; r0 < rows; r0 += SkinnyGemm.RowBlock)
                            {
                                double block = 0;
                                for (int r = r0; r < Math.Min(rows, r0 + SkinnyGemm.RowBlock); r++) block = Math.FusedMultiplyAdd(s[r * terms + t], d[r * cols + j], block);
                                expected += block;
                            }
                            Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(c[t * cols + j]),
                                $"{path}: rows {rows}, cols {cols}, terms {terms}, C[{t}, {j}] = {c[t * cols + j]:R}, expected {expected:R}");
                        }

                    // Any split of the columns gives the same bits (the threads split them so).
                    double[] split = (double[])start.Clone();
                    foreach (var (from, to) in new[] { (0, Math.Min(3, cols)), (Math.Min(3, cols), cols) })
                        SkinnyGemm.AddTransposedProduct(path, ref d[0], cols, rows, ref s[0], terms, terms, ref split[0], cols, from, to);
                    Assert.Equal(c, split);
                }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Row_dots_match_a_compensated_sum_and_do_not_depend_on_the_split(SimdPath path)
    {
        if (path == SimdPath.Scalar) return; // refusal checked above
        var rng = new Random(4);
        foreach (int rows in new[] { 1, 3, 4, 9 })
            foreach (int cols in new[] { 1, 7, 8, 33, 100 })
                foreach (int terms in new[] { 1, 2, 3, 5, 7, 12 })
                {
                    double[] d = Random(rng, rows * cols), q = Random(rng, terms * cols);
                    // C term-major (row stride 1, term stride rows + 1): the padding column must stay untouched.
                    int stride = rows + 1;
                    double[] c = Enumerable.Repeat(-7.0, terms * stride).ToArray();
                    SkinnyGemm.RowDots(path, ref d[0], cols, 0, rows, cols, ref q[0], cols, terms, ref c[0], 1, stride);
                    double[] oneByOne = Enumerable.Repeat(-7.0, terms * stride).ToArray();
                    for (int r = 0; r < rows; r++) SkinnyGemm.RowDots(path, ref d[0], cols, r, r + 1, cols, ref q[0], cols, terms, ref oneByOne[0], 1, stride);
                    Assert.Equal(c, oneByOne);
                    for (int t = 0; t < terms; t++)
                    {
                        for (int r = 0; r < rows; r++)
                        {
                            var (exact, magnitude) = CompensatedDot(d.AsSpan(r * cols, cols), q.AsSpan(t * cols, cols));
                            Assert.True(Math.Abs(c[t * stride + r] - exact) <= 4e-16 * cols * magnitude,
                                $"{path}: rows {rows}, cols {cols}, terms {terms}, C[{r}, {t}] = {c[t * stride + r]:R}, exact {exact:R}");
                        }
                        Assert.Equal(-7.0, c[t * stride + rows]);
                    }
                }
    }

    private static double[] Random(Random rng, int length) => Enumerable.Range(0, length).Select(_ => rng.NextDouble() * 2 - 1).ToArray();

    /// <summary>Σ a·b by Neumaier's compensated sum of exact products (TwoProduct by FMA), and Σ|a·b|.</summary>
    private static (double Sum, double Magnitude) CompensatedDot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0, compensation = 0, magnitude = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double p = a[i] * b[i], pError = Math.FusedMultiplyAdd(a[i], b[i], -p);
            foreach (double term in new[] { p, pError })
            {
                double t = sum + term;
                compensation += Math.Abs(sum) >= Math.Abs(term) ? (sum - t) + term : (term - t) + sum;
                sum = t;
            }
            magnitude += Math.Abs(p);
        }
        return (sum + compensation, magnitude);
    }
}
