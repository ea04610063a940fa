package io.github.lossengine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Losses#byName}: the catalogue names as before, PyTorch's names as aliases, "did you mean". */
class LossNamesTest {

    @Test
    void everyAliasGivesTheCatalogueLossWithItsDefaults() {
        assertEquals(14, Losses.aliases().size(), Losses.aliases().toString());
        Losses.aliases().forEach((alias, name) -> {
            assertTrue(Losses.names().contains(name), alias + " -> " + name);
            assertEquals(Losses.byName(name), Losses.byName(alias), alias);
            assertEquals(name, Losses.byName(alias).name(), "reported by its catalogue name");
        });
        assertEquals("softmax_cross_entropy", Losses.byName("cross_entropy").name());
        assertEquals("mae", Losses.byName("l1_loss").name());
        assertEquals("mse", Losses.byName(" MSE_Loss ").name(), "case and spaces as for catalogue names");
        assertEquals("multiclass_hinge", Losses.byName("multi_margin_loss").name());
    }

    @Test
    void catalogueNamesAreUnchanged() {
        assertEquals(21, Losses.names().size());
        for (String alias : Losses.aliases().keySet()) {
            assertFalse(Losses.names().contains(alias), alias);
        }
        assertThrows(UnsupportedOperationException.class, () -> Losses.aliases().put("x", "mse"));
    }

    @Test
    void anUnknownNameSuggestsTheNearestKnownOnes() {
        assertEquals(List.of("cross_entropy"), Losses.suggestions("crossentropy"));
        assertEquals(List.of("huber"), Losses.suggestions("hubr"));
        assertEquals(List.of("mae", "mse"), Losses.suggestions("mde"), "as near: in alphabetical order");
        assertEquals(List.of("triplet", "triplet_margin_loss"), Losses.suggestions("tripl"));
        assertEquals(List.of(), Losses.suggestions("nope"));

        InvalidInputException typo = assertThrows(InvalidInputException.class, () -> Losses.byName("Hubr"));
        assertTrue(typo.getMessage().contains("unknown loss 'Hubr'; did you mean huber? Known: softmax_cross_entropy, nll,"),
                typo.getMessage());
        InvalidInputException none = assertThrows(InvalidInputException.class, () -> Losses.byName("nope"));
        assertFalse(none.getMessage().contains("did you mean"), none.getMessage());
        assertTrue(none.getMessage().contains("(and the aliases l1, cross_entropy,"), none.getMessage());
    }
}
