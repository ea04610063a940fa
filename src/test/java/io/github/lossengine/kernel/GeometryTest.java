package io.github.lossengine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Launch geometry: segments adapt to the row length, groups are capped, the row cache is used only when rows fit. */
class GeometryTest {

    @Test
    void shortRowsShareAGroupAndLongRowsGetAWholeGroup() {
        assertEquals(1, Geometry.rows(1000, 1).segment());
        assertEquals(4, Geometry.rows(1000, 10).segment());
        assertEquals(64, Geometry.rows(1000, 200).rowsPerGroup() * 16);
        assertEquals(Geometry.GROUP_SIZE, Geometry.rows(512, 50_000).segment());
        assertEquals(512, Geometry.rows(512, 50_000).groups());
        assertEquals(Geometry.MAX_GROUPS, Geometry.rows(10_000_000, 50).groups());
        assertEquals(1, Geometry.rows(0, 10).groups());
    }

    @Test
    void elementwiseGroupsAreCapped() {
        assertEquals(1, Geometry.elementwise(0).groups());
        assertEquals(1, Geometry.elementwise(256).groups());
        assertEquals(2, Geometry.elementwise(257).groups());
        assertEquals(Geometry.MAX_GROUPS, Geometry.elementwise(1L << 40).groups());
    }

    @Test
    void rowCacheOnlyWhenTheGroupsRowsFit() {
        assertTrue(Geometry.rows(10, 4096).rowsFitCache(4096));
        assertFalse(Geometry.rows(10, 5000).rowsFitCache(5000));
        Geometry small = Geometry.rows(1000, 10);
        assertTrue(small.rowsFitCache(10));
        assertEquals(64, small.rowsPerGroup());
    }
}
