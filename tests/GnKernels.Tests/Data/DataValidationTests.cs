using System.Text;
using GnKernels.Data;
using GnKernels.Linalg;
using GnKernels.Models;

namespace GnKernels.Tests.Data;

/// <summary>Bad input to the data, file-format and pseudo-inverse APIs is refused with the argument or file named.</summary>
public class DataValidationTests
{
    private static string TempFile(string name, byte[] bytes)
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("gnk-data-").FullName, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] Npy(string descr, string order, string shape, int dataBytes)
    {
        string dict = $"{{'descr': '{descr}', 'fortran_order': {order}, 'shape': {shape}, }}";
        int total = (10 + dict.Length + 1 + 63) / 64 * 64;
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange("NUMPY"u8.ToArray());
        bytes.AddRange([1, 0, (byte)((total - 10) & 0xFF), (byte)((total - 10) >> 8)]);
        bytes.AddRange(Encoding.ASCII.GetBytes(dict.PadRight(total - 11) + "\n"));
        bytes.AddRange(new byte[dataBytes]);
        return bytes.ToArray();
    }

    [Theory]
    [InlineData("<f8", "True", "(2, 3)", "Fortran order")]
    [InlineData("<i4", "False", "(2, 3)", "dtype '<i4' is not supported")]
    [InlineData("<f8", "False", "(6,)", "it must be 2-D")]
    [InlineData("<f8", "False", "(2, 1)", "at least one feature and a target")]
    public void An_npy_file_it_cannot_read_is_named_with_the_reason(string descr, string order, string shape, string expected)
    {
        string path = TempFile("x.npy", Npy(descr, order, shape, 48));
        var e = Assert.Throws<DataFormatException>(() => NpyData.Read(path));
        Assert.Equal(path, e.Path);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_file_that_is_not_npy_or_lacks_its_data_is_refused()
    {
        Assert.Contains("no \\x93NUMPY magic", Assert.Throws<DataFormatException>(() => NpyData.Read(TempFile("t.npy", "a,b\n1,2\n"u8.ToArray()))).Message);
        Assert.Contains("data bytes", Assert.Throws<DataFormatException>(() => NpyData.Read(TempFile("s.npy", Npy("<f8", "False", "(4, 3)", 16)))).Message);
    }

    [Fact]
    public void A_csv_with_one_column_or_no_rows_is_refused()
    {
        Assert.Contains("at least one feature and a target", Assert.Throws<DataFormatException>(() => CsvData.Read(TempFile("one.csv", "y\n1\n"u8.ToArray()))).Message);
        Assert.Contains("no rows", Assert.Throws<DataFormatException>(() => CsvData.Read(TempFile("empty.csv", "a,y\n"u8.ToArray()))).Message);
    }

    [Fact]
    public void A_split_needs_a_fraction_strictly_inside_and_two_rows()
    {
        using var data = new RegressionData(DenseMatrix<double>.FromRowMajor(3, 1, [1, 2, 3]), [1, 2, 3], ["a"], "y", "test");
        Assert.Equal("testFraction", Assert.Throws<ArgumentOutOfRangeException>(() => data.Split(1.0, 0)).ParamName);
        Assert.Equal("testFraction", Assert.Throws<ArgumentOutOfRangeException>(() => data.Split(0.0, 0)).ParamName);
        var (train, test) = data.Split(0.5, 1);
        using (train) using (test) Assert.Equal(3, train.Count + test.Count);
    }

    [Fact]
    public void Tables_standardizations_and_models_check_their_shapes_and_values()
    {
        Assert.Equal("targets", Assert.ThrowsAny<ArgumentException>(() => new RegressionData(new DenseMatrix<double>(2, 1), [1.0], ["a"], "y", "t")).ParamName);
        Assert.Equal("targets", Assert.ThrowsAny<ArgumentException>(() => new RegressionData(new DenseMatrix<double>(1, 1), [double.NaN], ["a"], "y", "t")).ParamName);
        Assert.Equal("featureScales", Assert.ThrowsAny<ArgumentException>(() => new Standardization([0.0], [0.0], 0, 1)).ParamName);
        Assert.Equal("featureScales", Assert.ThrowsAny<ArgumentException>(() => new Standardization([0.0, 1.0], [1.0], 0, 1)).ParamName);
        var network = new TwoLayerSilu(2, 3);
        Assert.Equal("featureNames", Assert.ThrowsAny<ArgumentException>(() => new SavedModel(network, new double[network.ParameterCount], ["a"], "y", null)).ParamName);
        Assert.Equal("weights", Assert.ThrowsAny<ArgumentException>(() => new SavedModel(network, new double[2], ["a", "b"], "y", null)).ParamName);
        var model = new SavedModel(network, new double[network.ParameterCount], ["a", "b"], "y", null);
        using var wide = new DenseMatrix<double>(4, 3);
        Assert.Equal("features", Assert.ThrowsAny<ArgumentException>(() => model.Predict(wide, new double[4])).ParamName);
    }

    [Fact]
    public void The_pseudo_inverse_names_its_bad_arguments_and_solves_a_singular_system()
    {
        using var a = DenseMatrix<double>.FromRowMajor(2, 2, [1, 0, 1, 1]); // lower triangle: [[1, 1], [1, 1]], rank 1
        Assert.Equal("b", Assert.ThrowsAny<ArgumentException>(() => SymmetricPseudoInverse.Solve(a, new double[3], new double[2])).ParamName);
        Assert.Equal("b", Assert.ThrowsAny<ArgumentException>(() => SymmetricPseudoInverse.Solve(a, [double.NaN, 0], new double[2])).ParamName);
        Assert.Equal("relativeCutoff", Assert.ThrowsAny<ArgumentException>(() => SymmetricPseudoInverse.Solve(a, [1.0, 1.0], new double[2], relativeCutoff: 1.5)).ParamName);
        Assert.Equal("absoluteCutoff", Assert.ThrowsAny<ArgumentException>(() => SymmetricPseudoInverse.Solve(a, [1.0, 1.0], new double[2], absoluteCutoff: -1)).ParamName);
        var x = new double[2];
        var solution = SymmetricPseudoInverse.Solve(a, [2.0, 2.0], x);
        Assert.Equal(1, solution.Rank);
        Assert.Equal(1.0, x[0], 1e-14); // the minimum-norm solution of [[1,1],[1,1]]·x = [2,2]
        Assert.Equal(1.0, x[1], 1e-14);
    }
}
