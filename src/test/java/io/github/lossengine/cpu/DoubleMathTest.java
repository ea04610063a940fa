package io.github.lossengine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link DoubleMath}'s exp and log within a few ulp of {@link StrictMath}'s, and their special values. */
class DoubleMathTest {
    private static final double ULPS = 4;

    @Test
    void expIsWithinAFewUlpOverItsWholeRange() {
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++) {
            double x = -745 + 1454.7 * r.nextDouble();
            double want = StrictMath.exp(x);
            double got = DoubleMath.exp(x);
            assertTrue(Math.abs(got - want) <= ULPS * Math.ulp(want), "exp(" + x + ") = " + got + ", want " + want);
        }
        assertEquals(1.0, DoubleMath.exp(0.0));
        assertEquals(Double.POSITIVE_INFINITY, DoubleMath.exp(710));
        assertEquals(0.0, DoubleMath.exp(-746));
        assertEquals(0.0, DoubleMath.exp(Double.NEGATIVE_INFINITY));
        assertEquals(Double.POSITIVE_INFINITY, DoubleMath.exp(Double.POSITIVE_INFINITY));
        assertTrue(Double.isNaN(DoubleMath.exp(Double.NaN)));
    }

    @Test
    void logIsWithinAFewUlpFromSubnormalsToTheLargestDouble() {
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < 200_000; i++) {
            double w = Math.scalb(1 + r.nextDouble(), r.nextInt(-1074, 1024));
            double want = StrictMath.log(w);
            double got = DoubleMath.log(w);
            assertTrue(Math.abs(got - want) <= ULPS * Math.ulp(want) + Double.MIN_VALUE, "log(" + w + ") = " + got
                    + ", want " + want);
        }
        assertEquals(0.0, DoubleMath.log(1.0));
        assertEquals(Double.NEGATIVE_INFINITY, DoubleMath.log(0.0));
        assertEquals(Double.NEGATIVE_INFINITY, DoubleMath.log(-0.0));
        assertEquals(Double.POSITIVE_INFINITY, DoubleMath.log(Double.POSITIVE_INFINITY));
        assertTrue(Double.isNaN(DoubleMath.log(-1.0)));
        assertTrue(Double.isNaN(DoubleMath.log(Double.NaN)));
    }
}
