package io.github.lossengine.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The comparison forks' result files: one JSON object per line, {@code PREFIX-N.jsonl} in one folder. */
final class Jsonl {
    private Jsonl() {
    }

    /** A writer (auto-flushing) to {@code outFile}, its folder created; {@code --out} is required. */
    static PrintWriter open(String outFile) throws IOException {
        if (outFile == null) {
            throw new IllegalArgumentException("--out FILE is required");
        }
        Path path = Paths.get(outFile);
        if (path.getParent() != null) {
            Files.createDirectories(path.getParent());
        }
        return new PrintWriter(Files.newBufferedWriter(path, StandardCharsets.UTF_8), true);
    }

    /** Every record of the {@code prefix-N.jsonl} files in {@code dir}, file by file in name order. */
    static List<JsonObject> read(Path dir, String prefix) throws IOException {
        List<Path> forks;
        try (Stream<Path> s = Files.list(dir)) {
            forks = s.filter(p -> p.getFileName().toString().matches(prefix + "-\\d+\\.jsonl")).sorted()
                    .collect(Collectors.toList());
        }
        List<JsonObject> records = new ArrayList<>();
        for (Path f : forks) {
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    records.add(JsonParser.parseString(line).getAsJsonObject());
                }
            }
        }
        return records;
    }
}
