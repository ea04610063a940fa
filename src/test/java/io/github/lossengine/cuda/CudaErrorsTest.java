package io.github.lossengine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import jcuda.CudaException;
import jcuda.driver.CUresult;
import org.junit.jupiter.api.Test;

/**
 * CUDA result codes without a GPU: every code is named as JCuda's {@link CUresult#stringFor} names it
 * (the hand-written table printed 716, 719, 46, 702, 709, 803, 804 and 400 as bare numbers), the
 * codes that mean "this machine cannot run CUDA" and the sticky ones, and a {@link CudaException}
 * (JCuda's exceptions mode) maps back to its code.
 */
class CudaErrorsTest {

    @Test
    void everyCodeTheDriverReturnsIsNamed() {
        assertEquals("CUDA_ERROR_MISALIGNED_ADDRESS (716)", CudaErrors.name(716));
        assertEquals("CUDA_ERROR_LAUNCH_FAILED (719)", CudaErrors.name(719));
        assertEquals("CUDA_ERROR_DEVICE_UNAVAILABLE (46)", CudaErrors.name(46));
        assertEquals("CUDA_ERROR_LAUNCH_TIMEOUT (702)", CudaErrors.name(702));
        assertEquals("CUDA_ERROR_CONTEXT_IS_DESTROYED (709)", CudaErrors.name(709));
        assertEquals("CUDA_ERROR_SYSTEM_DRIVER_MISMATCH (803)", CudaErrors.name(803));
        assertEquals("CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE (804)", CudaErrors.name(804));
        assertEquals("CUDA_ERROR_INVALID_HANDLE (400)", CudaErrors.name(400));
        assertEquals("CUDA_ERROR_INSUFFICIENT_DRIVER (35)", CudaErrors.name(35));
        assertEquals("CUDA error (12345)", CudaErrors.name(12345));
    }

    @Test
    void driverMismatchForwardCompatibilityAndABusyDeviceMeanUnavailable() {
        for (int code : List.of(803, 804, 46)) {
            assertTrue(CudaErrors.meansUnavailable(code), "code " + code);
            assertEquals(CudaErrors.explain(code), CudaErrors.failure("cuInit", code));
            assertTrue(CudaErrors.explain(code).endsWith(CudaErrors.name(code)), CudaErrors.explain(code));
        }
        assertTrue(CudaErrors.explain(803).contains("does not match the loaded NVIDIA kernel driver"));
    }

    @Test
    void stickyErrorsMeanTheDeviceIsLost() {
        for (int code : List.of(700, 702, 714, 715, 716, 717, 718, 719, 720, 999)) {
            assertTrue(CudaErrors.meansDeviceLost(code), "code " + code);
            assertFalse(CudaErrors.meansUnavailable(code), "code " + code);
        }
        for (int code : List.of(0, 1, 2, 201, 400, 500, 701, 709, 801)) {
            assertFalse(CudaErrors.meansDeviceLost(code), "code " + code);
        }
    }

    @Test
    void aCudaExceptionMapsBackToItsCode() {
        for (int code : List.of(1, 2, 35, 100, 200, 209, 222, 400, 500, 700, 716, 803, 999)) {
            CudaException e = new CudaException(code == 35 ? "CUDA_ERROR_INSUFFICIENT_DRIVER" : CUresult.stringFor(code));
            assertEquals(code, CudaErrors.code(e), e.getMessage());
            assertEquals(code, CudaErrors.rc(() -> {
                throw e;
            }));
        }
        assertEquals(CUresult.CUDA_ERROR_UNKNOWN, CudaErrors.code(new CudaException("something else")));
        assertEquals(0, CudaErrors.rc(() -> 0));
        assertEquals(209, CudaErrors.rc(() -> 209));
    }
}
