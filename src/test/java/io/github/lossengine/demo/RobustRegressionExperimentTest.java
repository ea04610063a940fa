package io.github.lossengine.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Experiment 5: Huber, MAE and log-cosh resist the outliers that drag the MSE line. */
class RobustRegressionExperimentTest extends EngineFixture {

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {42, 1, 7})
    void robustLossesHaveSmallerSlopeErrorsThanMse(long seed) {
        RobustRegressionExperiment.Result r = new RobustRegressionExperiment().compute(engine, seed, TrainingProgress.silent());
        double mse = r.fit("MSE").slopeError();
        assertTrue(r.fit("Huber").slopeError() < mse, "Huber " + r.fit("Huber") + " vs " + r.fit("MSE"));
        assertTrue(r.fit("MAE").slopeError() < mse, "MAE " + r.fit("MAE") + " vs " + r.fit("MSE"));
        assertTrue(r.fit("log-cosh").slopeError() < mse, "log-cosh " + r.fit("log-cosh") + " vs " + r.fit("MSE"));
        // and by a wide margin: the outliers pull MSE far off, the robust fits stay near slope 2
        assertTrue(mse > 0.3, "MSE slope error " + mse);
        assertTrue(r.fit("Huber").slopeError() < 0.15 && r.fit("MAE").slopeError() < 0.15);
    }

    @Test
    void mseFitIsTheLeastSquaresLine() {
        RobustRegressionExperiment.Result r = new RobustRegressionExperiment().compute(engine, 42, TrainingProgress.silent());
        double[] x = r.data().x();
        double[] y = r.data().y();
        int n = x.length;
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= n;
        my /= n;
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < n; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        double slope = sxy / sxx;
        assertEquals(slope, r.fit("MSE").slope(), 1e-3);
        assertEquals(my - slope * mx, r.fit("MSE").intercept(), 1e-2);
    }

    @Test
    void tenPercentOfThePointsAreOutliers() {
        RobustRegressionExperiment.Data d = RobustRegressionExperiment.data(DemoContext.random(42, 5));
        int outliers = 0;
        for (boolean o : d.outlier()) {
            outliers += o ? 1 : 0;
        }
        assertEquals(d.x().length / 10, outliers);
    }
}
