#!/usr/bin/env bash
# The side-by-side comparison of issues #5 and #14, in one command: builds the -Pbench profile (JMH,
# DJL's libtorch, ND4J; nothing of it is in the main build), runs FORKS JVMs of the comparison (every
# contestant on the same inputs and the same thread count, results checked against lossengine's
# double reference before timing) and FORKS JVMs of the catalogue comparison (every loss against
# libtorch's best and the stream bandwidth; the storage table: float[], heap slice, direct buffer,
# offset view), the JMH allocation / step / kernel measurements, and rewrites docs/PERFORMANCE.md.
#
#   bench/compare.sh [--forks N] [--threads T] [--backends cpu,opencl,cuda] [--quick]
#                    [--lce-rounds R] [--lce-only] [--storage-jdk JAVA_HOME]
#
# --backends: lossengine's backends to time (default all three); one that does not open on this
# machine (no CUDA driver, no OpenCL platform) is listed in the report as not measured, with the
# reason. On a GPU machine the same command adds the CUDA rows and the device's own copy bandwidth.
# --quick: one fork, fewer samples, the catalogue at small shapes, no JMH (a smoke test of the whole
# chain; the numbers are rough).
# libtorch runs with huge pages for its allocations (THP_MEM_ALLOC_ENABLE=1, its best configuration
# on this machine; set THP_MEM_ALLOC_ENABLE=0 in the environment to time it without).
# --lce-rounds R: rounds of linear_cross_entropy at N 4096, D 1024, V 32768 (default 3; 0 skips it):
# per round lossengine then libtorch (linear + cross_entropy + autograd, THP_MEM_ALLOC_ENABLE=1), each
# in its own JVM on the same inputs (hashes compared), 5 timed calls each; then one JVM per
# contestant for the peak extra memory of one call (VmHWM after resetting it, minus VmRSS before).
# lossengine runs on the main build's class path (OpenBLAS 0.3.31 for its GEMM; the bench profile's
# class path has ND4J's JavaCPP 1.5.7), without OPENBLAS_CORETYPE (this machine's environment sets
# it to Haswell, AVX2 kernels; unset, OpenBLAS 0.3.31 picks its AVX-512 kernels here, about twice as
# fast). --lce-only: only this part; its markdown goes to standard output and docs/PERFORMANCE.md is
# left alone.
# --storage-jdk JAVA_HOME: after the catalogue forks, the storage table again in a JVM of that JDK
# (the same class files; e.g. /usr/lib/jvm/temurin-25-jdk-amd64: from Java 22 a direct buffer is read
# in place through FloatVector.fromMemorySegment, which Java 17 cannot); the report adds its table
# and its goal row.
# Needs ~8 GB of free memory (the largest case holds 512 MB per copy of its logits) and Maven Central
# the first time (the peers' jars: libtorch's is ~200 MB). Take the numbers on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."

forks=3
threads=$(nproc)
backends=cpu,opencl,cuda
quick=false
lce_rounds=3
lce_only=false
storage_jdk=""
args="$*"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --forks) forks="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --backends) backends="$2"; shift 2 ;;
    --quick) quick=true; forks=1; shift ;;
    --lce-rounds) lce_rounds="$2"; shift 2 ;;
    --lce-only) lce_only=true; shift ;;
    --storage-jdk) storage_jdk="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

mvn -B -q -Pbench process-classes
cp="target/bench/classes:$(cat target/bench/classpath.txt)"
out=target/bench/results
rm -rf "$out"
mkdir -p "$out"

jvm=(-Xmx8g --add-modules jdk.incubator.vector
     -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$threads" -Dai.djl.pytorch.num_interop_threads=1
     -Dai.djl.pytorch.graph_optimizer=false
     -Dorg.bytedeco.javacpp.maxbytes=10G -Dorg.bytedeco.javacpp.maxphysicalbytes=20G
     -Dlogback.configurationFile=bench/logback-bench.xml
     # the comparison's class path has ND4J's JavaCPP 1.5.7 and OpenBLAS 0.3.19: lossengine must not load
     # its OpenBLAS GEMM there (no loss of the comparison uses it; it would set OpenBLAS to one thread)
     -Dlossengine.gemm=java)
export OMP_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads"
export THP_MEM_ALLOC_ENABLE="${THP_MEM_ALLOC_ENABLE:-1}"
# the comparison opens PoCL for the opencl rows: with HotSpot's libjsig preloaded, PoCL's LLVM cannot
# take the JVM's SIGSEGV handler (docs/GPU.md, "PoCL and the JVM")
jsig="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")/lib/libjsig.so"
if [[ -f "$jsig" ]]; then export LD_PRELOAD="$jsig${LD_PRELOAD:+:$LD_PRELOAD}"; fi

# linear_cross_entropy against libtorch, one JVM per contestant and measurement
lce() {
  local main_cp="target/bench/classes:$(cat target/bench/main-classpath.txt)"
  local main=io.github.lossengine.bench.LinearCrossEntropyRun
  local le=(env -u OPENBLAS_CORETYPE java -Xmx8g --add-modules jdk.incubator.vector
            -Dlogback.configurationFile=bench/logback-bench.xml -cp "$main_cp" "$main")
  local torch=(env THP_MEM_ALLOC_ENABLE=1 java "${jvm[@]}" -cp "$cp" "$main")
  for r in $(seq 1 "$lce_rounds"); do
    echo "== linear_cross_entropy round $r of $lce_rounds (load: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    "${le[@]}" time --contestant lossengine --threads "$threads" --iterations 5 --out "$out/lce-time-$r-lossengine.json"
    "${torch[@]}" time --contestant torch --threads "$threads" --iterations 5 --out "$out/lce-time-$r-torch.json"
  done
  "${le[@]}" memory --contestant lossengine --threads "$threads" --out "$out/lce-memory-lossengine.json"
  "${torch[@]}" memory --contestant torch --threads "$threads" --out "$out/lce-memory-torch.json"
}
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/bench/main-classpath.txt -Dmdep.includeScope=runtime
if $lce_only; then
  lce
  java -cp "$cp" io.github.lossengine.bench.LinearCrossEntropyRun report --results "$out"
  exit 0
fi

samples=()
catalogue=()
if $quick; then samples=(--max-samples 5 --budget 3); catalogue=(--quick --max-samples 3 --budget 1); fi
for f in $(seq 1 "$forks"); do
  echo "== comparison fork $f of $forks (load: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  java "${jvm[@]}" -cp "$cp" io.github.lossengine.bench.Comparison --threads "$threads" --backends "$backends" \
    "${samples[@]}" --out "$out/fork-$f.jsonl"
  echo "== catalogue fork $f of $forks (load: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  java "${jvm[@]}" -cp "$cp" io.github.lossengine.bench.CatalogueComparison --threads "$threads" \
    --backends "$backends" "${catalogue[@]}" --out "$out/catalogue-$f.jsonl"
done

if [[ -n "$storage_jdk" ]]; then
  echo "== storage table on $("$storage_jdk/bin/java" -version 2>&1 | head -1) (load: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  # no PoCL in this run, so no libjsig of the other JDK
  env -u LD_PRELOAD "$storage_jdk/bin/java" "${jvm[@]}" --enable-native-access=ALL-UNNAMED -cp "$cp" \
    io.github.lossengine.bench.CatalogueComparison --threads "$threads" --backends cpu --storage-only \
    "${catalogue[@]}" --out "$out/storage-jdk-1.jsonl"
fi

if ! $quick; then
  jmh=(java -Xmx8g --add-modules jdk.incubator.vector -cp "$cp" org.openjdk.jmh.Main)
  echo "== JMH: allocation per call" >&2
  "${jmh[@]}" FusedLossBenchmark.forwardBackward -p path=fused -p threads="$threads" \
    -p caseName="softmax_cross_entropy 4096x32768,mse 16M,hinge 16M,multiclass_hinge 4096x1000" \
    -prof gc -rf json -rff "$out/jmh-gc.json"
  echo "== JMH: steps" >&2
  ce="softmax_cross_entropy 4096x32768"
  "${jmh[@]}" FusedLossBenchmark.forwardBackward -p caseName="$ce" -p path=reference -p threads=1 -f 1 -wi 1 -i 3 \
    -rf json -rff "$out/jmh-step1.json"
  "${jmh[@]}" FusedLossBenchmark.forwardBackward -p caseName="$ce" -p path=scalar -p threads=1 \
    -rf json -rff "$out/jmh-step2.json"
  "${jmh[@]}" FusedLossBenchmark.forwardBackward -p caseName="$ce" -p path=fused -p threads=1 \
    -jvmArgsAppend -XX:-UseFMA -rf json -rff "$out/jmh-step3.json"
  "${jmh[@]}" FusedLossBenchmark.forwardBackward -p caseName="$ce" -p path=fused -p threads=1,"$threads" \
    -rf json -rff "$out/jmh-step4.json"
  echo "== JMH: kernels" >&2
  "${jmh[@]}" KernelBenchmark -rf json -rff "$out/jmh-kernels.json"
  echo "== JMH: element-wise kernels on cache-resident data" >&2
  "${jmh[@]}" ElementwiseKernelBenchmark -prof gc -rf json -rff "$out/jmh-elementwise.json"
fi

if [[ "$lce_rounds" -gt 0 ]]; then lce; fi

java -cp "$cp" io.github.lossengine.bench.PerformanceReport --results "$out" \
  --command "bench/compare.sh${args:+ $args}" --out docs/PERFORMANCE.md
