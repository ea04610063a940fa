package io.github.lossengine.dl4j;

import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Loss;
import io.github.lossengine.Losses;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A lossengine {@link Loss} as text: its catalogue name and every option as a string, so that it
 * can live in a model's JSON configuration and be rebuilt identically.
 *
 * <p>Every loss in {@link Losses} is a record whose components are its options (its reduction
 * included), so the options are read from the record components and the loss is rebuilt with the
 * canonical constructor, which checks them as the option methods do. Nothing is lost: a new option
 * added to a loss is carried without a change here. Values are written so that they read back to
 * the same bits: {@code double} with {@link Double#toString}, {@code float[]} as comma-separated
 * {@link Float#toString} values, enums by name; {@code null} options are left out (the default
 * applies when reading).
 *
 * <p>Thread-safety: stateless.
 */
final class LossSpec {
    private LossSpec() {
    }

    /** Every option of {@code loss} by its record component name, in declaration order. */
    static Map<String, String> options(Loss loss) {
        Objects.requireNonNull(loss, "loss");
        Class<?> type = loss.getClass();
        if (!type.isRecord()) {
            throw new IllegalArgumentException("only the losses of io.github.lossengine.Losses can be stored in a model"
                    + " configuration, not " + type.getName());
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (RecordComponent c : type.getRecordComponents()) {
            Object value = read(c, loss);
            if (value != null) {
                out.put(c.getName(), encode(value));
            }
        }
        return out;
    }

    /**
     * The loss named {@code name} (catalogue name or alias) with {@code options} over its defaults.
     *
     * @throws InvalidInputException for an unknown name, an unknown option or a value the loss refuses
     */
    static Loss build(String name, Map<String, String> options) {
        Loss defaults = Losses.byName(name);
        Class<?> type = defaults.getClass();
        RecordComponent[] components = type.getRecordComponents();
        Map<String, String> left = new LinkedHashMap<>(options == null ? Map.of() : options);
        Class<?>[] types = new Class<?>[components.length];
        Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            types[i] = c.getType();
            String text = left.remove(c.getName());
            args[i] = text == null ? read(c, defaults) : decode(c, text);
        }
        if (!left.isEmpty()) {
            throw new InvalidInputException("options", "unknown option(s) " + left.keySet() + " for " + defaults.name()
                    + "; its options are " + Arrays.stream(components).map(RecordComponent::getName).toList());
        }
        try {
            Constructor<?> canonical = type.getDeclaredConstructor(types);
            return (Loss) canonical.newInstance(args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("cannot rebuild " + name, e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot rebuild " + name + " from its record components", e);
        }
    }

    private static Object read(RecordComponent c, Object record) {
        try {
            return c.getAccessor().invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read option " + c.getName() + " of " + record.getClass().getName(), e);
        }
    }

    private static String encode(Object value) {
        if (value instanceof float[] a) {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < a.length; i++) {
                s.append(i == 0 ? "" : ",").append(Float.toString(a[i]));
            }
            return s.toString();
        }
        if (value instanceof Enum<?> e) {
            return e.name();
        }
        return value.toString();
    }

    private static Object decode(RecordComponent c, String text) {
        Class<?> t = c.getType();
        try {
            if (t == double.class) {
                return Double.parseDouble(text);
            } else if (t == long.class) {
                return Long.parseLong(text);
            } else if (t == int.class) {
                return Integer.parseInt(text);
            } else if (t == boolean.class) {
                if (!text.equals("true") && !text.equals("false")) {
                    throw new IllegalArgumentException("not true or false");
                }
                return Boolean.parseBoolean(text);
            } else if (t == float[].class) {
                return floats(text);
            } else if (t.isEnum()) {
                return enumValue(t, text);
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("options", c.getName() + " = '" + text + "': not a " + t.getSimpleName()
                    + " (" + e.getMessage() + ")");
        }
        throw new IllegalStateException("option " + c.getName() + " has a type this adapter cannot store: " + t);
    }

    private static float[] floats(String text) {
        if (text.isEmpty()) {
            return new float[0];
        }
        String[] parts = text.split(",");
        float[] out = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Float.parseFloat(parts[i].trim());
        }
        return out;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object enumValue(Class<?> t, String text) {
        return Enum.valueOf((Class) t, text);
    }
}
