package io.github.lossengine.cuda;

import io.github.lossengine.kernel.DeviceException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the table of contents of a CUDA fatbin (the container nvcc {@code -fatbin} writes): a
 * header with magic {@code 0xBA55ED50}, then entries of SASS (ELF, one per {@code sm_XX}) or PTX
 * (one per {@code compute_XX}). Used to refuse a corrupt image before it reaches the driver, and by
 * the tests to check which architectures the committed module holds (what {@code cuobjdump
 * --list-elf} shows).
 */
public final class FatbinImage {
    /** The fatbin magic number. */
    public static final int MAGIC = 0xBA55ED50;

    /** One entry: SASS for {@code sm_<arch>} or PTX for {@code compute_<arch>}. */
    public record Entry(boolean ptx, int arch) {
        @Override
        public String toString() {
            return (ptx ? "PTX compute_" : "ELF sm_") + arch;
        }
    }

    private FatbinImage() {
    }

    /**
     * The entries of {@code image}.
     *
     * @throws DeviceException when the image is not a well-formed fatbin
     */
    public static List<Entry> entries(byte[] image) {
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        if (image.length < 16 || b.getInt(0) != MAGIC) {
            throw new DeviceException("not a CUDA fatbin (bad magic number)");
        }
        int headerSize = Short.toUnsignedInt(b.getShort(6));
        long size = b.getLong(8);
        if (headerSize < 16 || headerSize + size > image.length) {
            throw new DeviceException("truncated CUDA fatbin: header says " + (headerSize + size) + " bytes, image has " + image.length);
        }
        List<Entry> out = new ArrayList<>();
        long off = headerSize;
        long end = headerSize + size;
        while (off < end) {
            if (off + 32 > end) {
                throw new DeviceException("truncated CUDA fatbin entry at byte " + off);
            }
            int o = (int) off;
            int kind = Short.toUnsignedInt(b.getShort(o));
            long entryHeader = Integer.toUnsignedLong(b.getInt(o + 4));
            long payload = b.getLong(o + 8);
            int arch = b.getInt(o + 28);
            if ((kind != 1 && kind != 2) || entryHeader < 32 || off + entryHeader + payload > end) {
                throw new DeviceException("corrupt CUDA fatbin entry at byte " + off);
            }
            out.add(new Entry(kind == 1, arch));
            off += entryHeader + payload;
        }
        if (out.isEmpty()) {
            throw new DeviceException("CUDA fatbin holds no code");
        }
        return out;
    }
}
