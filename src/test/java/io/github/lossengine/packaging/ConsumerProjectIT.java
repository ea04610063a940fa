package io.github.lossengine.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A separate Maven project depends on the library as a user's would: the library jar and its pom are
 * installed (the layout {@code mvn install} writes) into a fresh local repository, and the project,
 * which excludes JCuda and JOCL and declares {@code requires io.github.lossengine} in its
 * {@code module-info}, is compiled by Maven against it (every other artifact comes from this
 * build's own local repository, used as the only remote one, so nothing is downloaded). Its main
 * class then computes a loss once on the class path and once as a JPMS module: both give the CPU
 * backend, the same value, and CUDA and OpenCL reported unavailable because their classes are
 * missing.
 */
class ConsumerProjectIT {
    private static final String VERSION = System.getProperty("lossengine.version");
    private static final String GROUP_PATH = "io/github/lossengine/loss-engine/";

    @TempDir
    static Path dir;

    private static Path project;
    private static Path repo;

    private static String java() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static Result exec(Path cwd, List<String> cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("LOSSENGINE_BACKEND");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove("MAVEN_OPTS");
        File log = cwd.resolve("out-" + System.nanoTime() + ".txt").toFile();
        Process p = pb.redirectOutput(log).start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "finished in time: " + cmd);
        return new Result(p.exitValue(), Files.readString(log.toPath(), StandardCharsets.UTF_8));
    }

    record Result(int status, String out) {
    }

    @BeforeAll
    static void buildTheConsumer() throws Exception {
        assertNotNull(VERSION, "run by failsafe, which sets lossengine.version");
        String outerRepo = System.getProperty("lossengine.outerRepository");
        String mavenHome = System.getProperty("lossengine.mavenHome");
        assertNotNull(outerRepo, "lossengine.outerRepository");
        assertNotNull(mavenHome, "lossengine.mavenHome");

        // what `mvn install` puts into a local repository: the jar and the pom under the coordinates
        repo = dir.resolve("repository");
        Path installed = repo.resolve(GROUP_PATH + VERSION);
        Files.createDirectories(installed);
        Files.copy(LibraryJarIT.libraryJar(), installed.resolve("loss-engine-" + VERSION + ".jar"));
        Files.copy(Paths.get("pom.xml"), installed.resolve("loss-engine-" + VERSION + ".pom"));

        Files.writeString(dir.resolve("settings.xml"), "<settings><mirrors><mirror><id>outer</id><mirrorOf>*</mirrorOf>"
                + "<url>" + Paths.get(outerRepo).toUri() + "</url></mirror></mirrors></settings>\n");

        project = dir.resolve("consumer");
        Path src = project.resolve("src/main/java/consumer");
        Files.createDirectories(src);
        Files.writeString(project.resolve("pom.xml"), String.join("\n",
                "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">",
                "  <modelVersion>4.0.0</modelVersion>",
                "  <groupId>consumer</groupId><artifactId>consumer</artifactId><version>1</version>",
                "  <properties><maven.compiler.release>17</maven.compiler.release>",
                "    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding></properties>",
                "  <dependencies><dependency>",
                "    <groupId>io.github.lossengine</groupId><artifactId>loss-engine</artifactId><version>" + VERSION + "</version>",
                "    <exclusions>",
                "      <exclusion><groupId>org.jcuda</groupId><artifactId>*</artifactId></exclusion>",
                "      <exclusion><groupId>org.jocl</groupId><artifactId>*</artifactId></exclusion>",
                "    </exclusions>",
                "  </dependency></dependencies>",
                "  <build><plugins>",
                "    <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-resources-plugin</artifactId>"
                        + "<version>" + System.getProperty("lossengine.resourcesPluginVersion") + "</version></plugin>",
                "    <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-compiler-plugin</artifactId>"
                        + "<version>" + System.getProperty("lossengine.compilerPluginVersion") + "</version></plugin>",
                "  </plugins></build>",
                "</project>", ""));
        Files.writeString(project.resolve("src/main/java/module-info.java"), String.join("\n",
                "module consumer {",
                "    requires io.github.lossengine;",
                "    // an automatic module declares no requirements of its own: name the logging API too",
                "    requires org.slf4j;",
                "}", ""));
        Files.writeString(src.resolve("Main.java"), String.join("\n",
                "package consumer;",
                "import io.github.lossengine.*;",
                "public final class Main {",
                "    public static void main(String[] args) {",
                "        try (LossEngine engine = LossEngine.create()) {",
                "            LossResult r = engine.compute(Losses.mse(), Tensor.of(new float[] {1, 2, 3, 4}, 2, 2),",
                "                    Tensor.of(new float[] {1.5f, 2, 1, 4}, 2, 2));",
                "            System.out.println(\"module=\" + Main.class.getModule().getName());",
                "            System.out.println(\"loss=\" + r.value());",
                "            System.out.println(\"backend=\" + r.backend().id());",
                "            System.out.println(\"info=\" + engine.backend());",
                "        }",
                "    }",
                "}", ""));

        List<String> mvn = List.of(Paths.get(mavenHome, "bin", "mvn").toString(), "-B", "-q", "-s",
                dir.resolve("settings.xml").toString(), "-Dmaven.repo.local=" + repo, "compile");
        Result build = exec(project, mvn);
        assertEquals(0, build.status(), build.out());
    }

    private static String classPath() throws IOException {
        List<String> jars = new ArrayList<>();
        try (Stream<Path> s = Files.walk(repo)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".jar")).collect(Collectors.toList())) {
                String rel = repo.relativize(p).toString().replace(File.separatorChar, '/');
                if (rel.startsWith(GROUP_PATH) || rel.startsWith("org/slf4j/slf4j-api/" + System.getProperty("lossengine.slf4jVersion") + "/")) {
                    jars.add(p.toString());
                }
            }
        }
        assertEquals(2, jars.size(), "the library and slf4j-api, as Maven resolved them: " + jars);
        return project.resolve("target/classes") + File.pathSeparator + String.join(File.pathSeparator, jars);
    }

    @Test
    void mavenResolvedNeitherJCudaNorJocl() throws IOException {
        assertFalse(Files.exists(repo.resolve("org/jcuda")), "JCuda excluded");
        assertFalse(Files.exists(repo.resolve("org/jocl")), "JOCL excluded");
        assertTrue(Files.isRegularFile(project.resolve("target/classes/module-info.class")),
                "compiled as a module that requires io.github.lossengine");
    }

    @Test
    void onTheClassPath() throws Exception {
        Result r = exec(project, List.of(java(), "-cp", classPath(), "consumer.Main"));
        check(r, "module=null");
    }

    @Test
    void asAModule() throws Exception {
        Result r = exec(project, List.of(java(), "-p", classPath(), "-m", "consumer/consumer.Main"));
        check(r, "module=consumer");
    }

    private static void check(Result r, String module) {
        assertEquals(0, r.status(), r.out());
        List<String> lines = r.out().lines().collect(Collectors.toList());
        assertTrue(lines.contains(module), r.out());
        assertTrue(lines.contains("loss=1.0625"), "(0.25 + 0 + 4 + 0) / 4: " + r.out());
        assertTrue(lines.contains("backend=cpu"), r.out());
        String info = lines.stream().filter(l -> l.startsWith("info=")).findFirst().orElse("");
        assertTrue(info.contains("cuda") && info.contains("opencl"), "both device backends reported: " + r.out());
        assertFalse(r.out().contains("Exception in thread"), r.out());
    }
}
