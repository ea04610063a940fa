package io.github.lossengine.demo;

/**
 * The articles the demo's experiments reproduce, named as a reader can look them up. The copies in
 * the project's {@code seeds/} folder give the title, and for the first the author and the date; the
 * other two state neither, so neither is made up here.
 */
final class Sources {
    private Sources() {
    }

    /** Experiments 1, 3, 4, 6 and 7. */
    static final String VARMA = "Rohan Varma, \"Picking Loss Functions: A comparison between MSE, Cross Entropy, "
            + "and Hinge Loss\" (blog post, January 2018)";
    /** Short form of {@link #VARMA}. */
    static final String VARMA_SHORT = "Varma (2018)";
    /** Experiments 2 and 5. */
    static final String NOTES = "\"Loss Functions\" (lecture notes on MSE and cross-entropy as likelihoods, "
            + "citing Goodfellow et al. 2016; author and year not stated)";
    /** Short form of {@link #NOTES}. */
    static final String NOTES_SHORT = "the \"Loss Functions\" notes";
    /** Experiment 5, with {@link #NOTES}. */
    static final String TUTORIAL = "\"Loss Functions\" (a tutorial from MSE to triplet loss; author and year not stated)";

    /** What each experiment reproduces, 1 to 7, as the page lists them. */
    static final String[] REPRODUCES = {
            VARMA_SHORT + ": cross-entropy learns faster than MSE when a sigmoid's prediction is badly wrong",
            NOTES_SHORT + ": its diagram of hinge, cross-entropy and MSE on the sigmoid against the logit, with the gradients added",
            VARMA_SHORT + ": the two multi-class cross-entropy variants and its claim that they are \"just offset\"",
            VARMA_SHORT + ": the sigmoid's flat tails, where its derivative vanishes",
            NOTES_SHORT + " and the tutorial: MSE is pulled by outliers; MAE, Huber and log-cosh are robust",
            VARMA_SHORT + ": the (L2-regularised) hinge loss finds the maximum-margin boundary",
            VARMA_SHORT + ": scores [10, 8, 8] and [10, -10, -10]: hinge is 0 for both, cross-entropy is not",
    };
}
