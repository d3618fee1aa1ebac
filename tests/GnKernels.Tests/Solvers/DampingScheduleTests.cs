using GnKernels.Data;
using GnKernels.Models;
using GnKernels.Solvers;

namespace GnKernels.Tests.Solvers;

public class DampingScheduleTests
{
    private static TrainingResult Train(TrainingOptions options, out double[] w)
    {
        using var data = TeacherStudent.Arbel(trainCount: 30, inputDimension: 3, testCount: 0, seed: 2);
        var network = new TwoLayerSilu(3, 40);
        w = TeacherStudent.InitialParameters(network, tau0: 1, seed: 5);
        return Trainer.Train(network, data, w, options with { MaxIterations = 6, RelativeTolerance = 0 });
    }

    [Fact]
    public void Each_step_uses_the_scheduled_damping_and_a_constant_schedule_is_a_fixed_damping()
    {
        var scheduled = Train(new TrainingOptions { DampingSchedule = k => 1e-2 * Math.Pow(0.5, k) }, out _);
        Assert.All(scheduled.Records.Skip(1), r => Assert.Equal(1e-2 * Math.Pow(0.5, r.Iteration), r.Damping));

        Train(new TrainingOptions { DampingSchedule = _ => 3e-4 }, out double[] constant);
        Train(new TrainingOptions { FixedDamping = 3e-4 }, out double[] fixedDamping);
        Assert.Equal(fixedDamping, constant);
    }

    [Fact]
    public void A_bad_schedule_is_refused_by_name()
    {
        var both = Assert.Throws<ArgumentException>(() => Train(new TrainingOptions { FixedDamping = 1, DampingSchedule = _ => 1 }, out _));
        Assert.Contains("DampingSchedule", both.Message);
        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => Train(new TrainingOptions { DampingSchedule = k => k < 3 ? 1e-3 : -1 }, out _));
        Assert.Contains("iteration 3", negative.Message);
        Assert.Equal("DampingSchedule", negative.ParamName);
    }
}
