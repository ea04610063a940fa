package io.github.lossengine.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.stream.Collectors;

/** Runs the tool in-process through {@link Main#execute(PrintWriter, PrintWriter, String...)}, capturing its output. */
public final class CliRunner {
    private CliRunner() {
    }

    /** Exit status, stdout and stderr of one run. */
    public record Result(int status, String out, String err) {
        public List<String> errLines() {
            return err.lines().collect(Collectors.toList());
        }

        public List<String> outLines() {
            return out.lines().collect(Collectors.toList());
        }

        @Override
        public String toString() {
            return "status " + status + "\nstdout: " + out + "\nstderr: " + err;
        }
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(status, out.toString(), err.toString());
    }
}
