package io.github.lossengine.cpu;

import static io.github.lossengine.cpu.VectorDirectBufferKernels.load;
import static io.github.lossengine.cpu.VectorDirectBufferKernels.store;
import static io.github.lossengine.cpu.VectorDoubleMath.D;
import static io.github.lossengine.cpu.VectorDoubleMath.DL;
import static io.github.lossengine.cpu.VectorLikelihoodKernels.float32Range;
import static io.github.lossengine.cpu.VectorLikelihoodKernels.narrow;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * gaussian_nll's kernel ({@link VectorLikelihoodKernels#gaussian}, a variance per element) on direct
 * native-order buffers, through {@link VectorDirectBufferKernels}' handles and its {@code load} and
 * {@code store}: each float32 vector read in place widens to one double vector ({@link #AVAILABLE}
 * only where the double vectors have as many lanes as the float vectors: 512-bit doubles, 256-bit
 * floats), every lane computes the array kernel's double operations in the same order, the block's
 * losses go through the same double scratch row and {@link VectorLikelihoodKernels#laneSum}, and the
 * outputs narrow to float32 as the array kernel's (the variance gradient rounded once from its
 * double, as the caller of the array kernel rounds it), so the same bits. Blocks of whole groups of
 * {@link LikelihoodKernels#LANES}; the caller stages a block with a remainder. Stateless and
 * thread-safe.
 */
final class VectorDirectLikelihoodKernels {
    /** Whether a float32 vector of {@code load} widens to exactly one double vector here. */
    static final boolean AVAILABLE = DL == VectorMath.L && DL == LikelihoodKernels.LANES;

    private VectorDirectLikelihoodKernels() {
    }

    private static DoubleVector widen(Object m, int i) {
        return (DoubleVector) load(m, i).convertShape(VectorOperators.F2D, D, 0);
    }

    /** {@link DirectBufferKernels#gaussian}. */
    static double gaussian(Object mu, Object y, Object var, Object gMu, Object gY, Object gVar, float[] values,
                           int from, int to, double eps, double constant, double scale) {
        double[] s = Scratch.doubles(1)[0];
        for (int i = from; i < to; i += DL) {
            widen(var, i).max(eps).intoArray(s, i - from);
        }
        VectorDoubleMath.log(s, to - from, s);
        for (int i = from; i < to; i += DL) {
            int j = i - from;
            DoubleVector v = widen(var, i).max(eps);
            DoubleVector d = float32Range(widen(mu, i).sub(widen(y, i)));
            DoubleVector rv = float32Range(d.div(v));
            DoubleVector l = DoubleVector.fromArray(D, s, j).add(d.mul(d).div(v)).mul(0.5).add(constant);
            float32Range(l).intoArray(s, j);
            if (values != null) {
                narrow(l).intoArray(values, i);
            }
            FloatVector dMu = narrow(rv.mul(scale));
            if (gMu != null) {
                store(dMu, gMu, i);
            }
            if (gY != null) {
                store(dMu.neg(), gY, i);
            }
            if (gVar != null) {
                store(narrow(DoubleVector.broadcast(D, 1.0).div(v).sub(float32Range(rv.mul(rv))).mul(0.5).mul(scale)),
                        gVar, i);
            }
        }
        return VectorLikelihoodKernels.laneSum(s, to - from);
    }
}
