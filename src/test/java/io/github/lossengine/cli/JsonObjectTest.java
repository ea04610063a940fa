package io.github.lossengine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link JsonObject}: shortest round-trip numbers, Python's non-finite tokens, string escapes. */
class JsonObjectTest {
    @Test
    void numbersAreShortestRoundTripText() {
        assertEquals("0.1", JsonObject.number(0.1));
        assertEquals("100.0", JsonObject.number(100));
        assertEquals("-2.5", JsonObject.number(-2.5));
        assertEquals("0.001", JsonObject.number(0.001));
        assertEquals("1.0E-4", JsonObject.number(1e-4));
        assertEquals("1.0E23", JsonObject.number(1e23));
        assertEquals("1.0E7", JsonObject.number(1e7));
        assertEquals("9999999.0", JsonObject.number(9999999));
        assertEquals("5.0E-324", JsonObject.number(Double.MIN_VALUE), "Python: 5e-324");
        assertEquals("1.7976931348623157E308", JsonObject.number(Double.MAX_VALUE));
        // 2^-44: Java 17's Double.toString gives 17 digits (5.6843418860808015E-14); 16 suffice
        assertEquals("5.684341886080802E-14", JsonObject.number(Math.scalb(1.0, -44)));
        // a float32 value is printed exactly as a double
        assertEquals("0.10000000149011612", JsonObject.number(0.1f));
        assertEquals("0.0", JsonObject.number(0.0));
        assertEquals("-0.0", JsonObject.number(-0.0));
    }

    @Test
    void nonFiniteNumbersAreNullWithANote() {
        assertEquals("null", JsonObject.number(Double.NaN));
        assertEquals("null", JsonObject.number(Double.POSITIVE_INFINITY));
        assertEquals("null", JsonObject.number(Double.NEGATIVE_INFINITY));
        assertEquals("{\"a\": 1.0}", new JsonObject().put("a", 1.0).toString(), "no note when all are finite");
        assertEquals("{\"loss\": null, \"x\": [1.0, null, null, null], \"nonfinite\": {\"loss\": \"-Infinity\", "
                        + "\"x\": {\"NaN\": 2, \"Infinity\": 1}}}",
                new JsonObject().put("loss", Double.NEGATIVE_INFINITY)
                        .put("x", new double[] {1, Double.NaN, Double.POSITIVE_INFINITY, Double.NaN}).toString());
    }

    @Test
    void randomNumbersRoundTripAndAreNoLongerThanJavasOwnText() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int k = 0; k < 20000; k++) {
            double v = k % 2 == 0 ? Double.longBitsToDouble(rnd.nextLong()) : Float.intBitsToFloat(rnd.nextInt());
            if (!Double.isFinite(v)) {
                continue;
            }
            String s = JsonObject.number(v);
            assertEquals(v, Double.parseDouble(s), s);
            assertEquals(v, (Double) JsonReader.parse(s), s);
            assertEquals(true, digits(s) <= digits(Double.toString(v)), s + " vs " + v);
        }
    }

    private static int digits(String s) {
        return s.replaceAll("[eE].*", "").replaceAll("[-.]", "").replaceAll("^0+", "").replaceAll("0+$", "").length();
    }

    @Test
    void objectIsOneLineOfValidJson() {
        String json = new JsonObject().put("name", "a \"quoted\"\\path\n\ttab\u0001").put("loss", Double.NaN)
                .put("shape", new long[] {2, 3}).put("list", new double[] {1.0, Double.POSITIVE_INFINITY}).toString();
        assertEquals(1, json.lines().count());
        Map<String, Object> m = JsonReader.object(json);
        assertEquals("a \"quoted\"\\path\n\ttab\u0001", m.get("name"));
        assertNull(m.get("loss"));
        assertEquals(List.of(2.0, 3.0), m.get("shape"));
        assertEquals(Arrays.asList(1.0, null), m.get("list"));
        assertEquals(Map.of("loss", "NaN", "list", Map.of("Infinity", 1.0)), m.get("nonfinite"));
    }
}
