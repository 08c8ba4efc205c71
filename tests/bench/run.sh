#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 shardsec authors
#
# Dataplane benchmarks: the real gateway pipeline on virtual ports.
#  ESP: outbound and inbound, AES-GCM-128 and AES-CBC-128 + HMAC-SHA-256,
#       64 / 512 / 1420-byte and IMIX packets, 1 and 2 workers.
#  Steering (2 workers, GCM, 64 bytes): packets owned by their server by
#       5-tuple hash (udp), GTP-U TEID or SCTP verification tag, fed to
#       the owner's queue (as NIC rte_flow steering does) or to the other
#       worker, which hands each over (software steering).
#  SA setup (root and strongSwan): IKE SA + one Child SA pair per server
#       against strongSwan, and rekeys, for 1..15 servers
#       (tests/bench/ike_setup.py; skipped, with a line saying so, when
#       either is missing).
#
#   tests/bench/run.sh [--short] [--check] [--pages auto|huge|4k]
#                      [--reserve-huge]
#
#   --short  ~1 s per row, sizes 64 and IMIX only (what the test suite runs)
#   --check  exit non-zero unless every row is present and verified
#   --pages  the EAL's memory: 2 MB hugepages, as every deployment has
#            them (huge: required), or 4 KB pages (--no-huge), where each
#            packet's mbuf header and data lines sit on pages of their own
#            and every row pays TLB misses that no deployment has (64-byte
#            rows ~50-70 cycles/packet). auto (default): hugepages where
#            enough are reserved and hugetlbfs is mounted, else 4k.
#   --reserve-huge  (root) reserve what the rows need (and mount
#            hugetlbfs) for this run, as dpdk-hugepages.py would, and give
#            it back at the end. Without it nothing is changed: reserve
#            them yourself, e.g. 'dpdk-hugepages.py -p 2M --setup 2G'.
#
# Writes tests/bench/out/esp.csv, steer.csv, backend.csv, ike_setup.csv, esp_*.png and
# the raw logs. Environment:
#   SS_BENCH      the ss_bench binary (else built in $SS_BUILD_DIR)
#   SS_SHARDSEC   the shardsec binary for the SA setup rows (else built
#                 in $SS_BUILD_DIR)
#   SS_BUILD_DIR  build directory to use/create (default build-bench)
#   SS_BENCH_OUT  output directory (default tests/bench/out)
#   SS_BENCH_SECONDS  seconds per row (default 3, short 1)
#
# ike_setup.py also runs alone, with more rounds:
#   tests/bench/ike_setup.py build/app/shardsec [--servers 1,2,4,8,15]
#       [--reps 3] [--no-rekey] [--csv FILE]
set -u -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SHORT=0
CHECK=0
PAGES=auto
RESERVE=0
while [ $# -gt 0 ]; do
	case "$1" in
	--short) SHORT=1 ;;
	--check) CHECK=1 ;;
	--pages) PAGES=${2:-}; shift ;;
	--reserve-huge) RESERVE=1 ;;
	-h|--help) sed -n '4,43p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
case "$PAGES" in
auto|huge|4k) ;;
*) echo "run.sh: --pages auto|huge|4k, not '$PAGES'" >&2; exit 2 ;;
esac

if [ "$SHORT" = 1 ]; then
	SIZES=64,imix
	SECS=${SS_BENCH_SECONDS:-1}
else
	SIZES=64,512,1420,imix
	SECS=${SS_BENCH_SECONDS:-3}
fi
OUT=${SS_BENCH_OUT:-$HERE/out}
mkdir -p "$OUT"
CSV=$OUT/esp.csv
SCSV=$OUT/steer.csv
BCSV=$OUT/backend.csv

ICSV=$OUT/ike_setup.csv
FCSV=$OUT/floor_scale.csv

BIN=${SS_BENCH:-}
GW=${SS_SHARDSEC:-}
FS=${SS_FLOOR_SCALE:-}
if [ -z "$BIN" ] || [ -z "$GW" ] || [ -z "$FS" ]; then
	BUILD=${SS_BUILD_DIR:-$ROOT/build-bench}
	if [ ! -f "$BUILD/build.ninja" ]; then
		echo "== meson setup $BUILD"
		meson setup "$BUILD" "$ROOT" >/dev/null || exit 1
	fi
	echo "== building ss_bench and shardsec in $BUILD"
	ninja -C "$BUILD" -j2 tests/bench/ss_bench tests/bench/floor_scale \
		app/shardsec >/dev/null || exit 1
	BIN=${BIN:-$BUILD/tests/bench/ss_bench}
	GW=${GW:-$BUILD/app/shardsec}
	FS=${FS:-$BUILD/tests/bench/floor_scale}
fi

NCPU=$(nproc)
# lcore 0 is the generator (main lcore), 1..W the workers. Each worker
# is pinned to a CPU of its own where there are enough; with fewer CPUs
# than lcores the generator floats over all of them: '0@(0-1),1@0,2@1'.
lcores() {
	local i m
	if [ "$NCPU" -ge $(($1 + 1)) ]; then
		m="0@0"
		for i in $(seq 1 "$1"); do m="$m,$i@$i"; done
	else
		m="0@(0-$((NCPU - 1)))"
		for i in $(seq 1 "$1"); do m="$m,$i@$(((i - 1) % NCPU))"; done
	fi
	echo "$m"
}

# 2 MB pages: each ss_bench run takes -m 1024 of them (and gives them
# back at its exit: --huge-unlink leaves no files in hugetlbfs).
HP_SYS=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
HP_NEED=520
HP_OLD=""
HP_MNT=""
hp_free() {
	awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo
}
hp_mounted() {
	awk '$3 == "hugetlbfs" { m = 1 } END { exit !m }' /proc/mounts
}
# shellcheck disable=SC2317 # called by the EXIT trap
hp_restore() {
	if [ -n "$HP_OLD" ]; then
		echo "$HP_OLD" > "$HP_SYS"
		echo "== hugepages: back to $HP_OLD reserved"
	fi
	if [ -n "$HP_MNT" ]; then
		umount "$HP_MNT" && rmdir "$HP_MNT"
	fi
}
if [ "$RESERVE" = 1 ] && [ "$PAGES" != 4k ]; then
	if [ "$(id -u)" -ne 0 ] || [ ! -w "$HP_SYS" ]; then
		echo "run.sh: --reserve-huge needs root and $HP_SYS" >&2
		exit 2
	fi
	trap hp_restore EXIT
	if [ "$(hp_free)" -lt "$HP_NEED" ]; then
		HP_OLD=$(cat "$HP_SYS")
		echo $((HP_OLD + HP_NEED - $(hp_free))) > "$HP_SYS"
	fi
	if ! hp_mounted; then
		HP_MNT=$(mktemp -d /tmp/ss-huge.XXXXXX)
		mount -t hugetlbfs -o pagesize=2M nodev "$HP_MNT" || exit 1
	fi
fi
if [ "$PAGES" != 4k ] && hp_mounted && [ "$(hp_free)" -ge "$HP_NEED" ]; then
	MEM="-m 1024 --huge-unlink"
	MEMDESC="2 MB hugepages"
elif [ "$PAGES" = huge ]; then
	echo "run.sh: --pages huge: $(hp_free) 2 MB pages free, $HP_NEED needed," \
		"hugetlbfs $(hp_mounted && echo mounted || echo 'not mounted')" \
		"(try --reserve-huge)" >&2
	exit 2
else
	MEM="--no-huge -m 1024"
	MEMDESC="4 KB pages (--no-huge: every row pays TLB misses a deployment does not)"
fi

HDR="dir,algo,size,workers,cycles_per_pkt,mpps_per_worker,capacity_mpps,wall_mpps,floor_cycles,overhead_cycles,ratio,cycles_min,cycles_mean,cycles_w0,cycles_w1,avg_burst,packets,ring_full_waits,batches,verified,tsc_mhz,scenario,backend,floor_cold_cycles,cycles_p10,page_kb,floor_beside_cycles,overhead_paired_cycles,arrival_paired_cycles"
echo "$HDR" > "$CSV"
echo "$HDR" > "$SCSV"
echo "$HDR" > "$BCSV"

echo "== ESP benchmark: sizes $SIZES, ${SECS}s per row, $NCPU CPUs, memory in $MEMDESC, output in $OUT"
RC=0
# bench LOG WORKERS ARGS...: one ss_bench run, its rows shown as they
# come, the whole output kept in LOG; a failed run sets RC.
bench() {
	local log=$1 w=$2 r
	shift 2
	# shellcheck disable=SC2086 # MEM is several words
	"$BIN" --no-pci $MEM --no-shconf --no-telemetry \
		--log-level=error --lcores "$(lcores "$w")" -- \
		--workers "$w" --seconds "$SECS" "$@" 2>&1 | tee "$log" |
		grep --line-buffered -E '^(bench|  |floor)'
	r=${PIPESTATUS[0]}
	if [ "$r" != 0 ]; then
		echo "   ss_bench exited with $r (log: $log)"
		grep -v 'already stopped' "$log" | tail -5
		RC=1
	fi
}

RUN=0
for W in 1 2; do
	for ALGO in gcm cbc; do
		RUN=$((RUN + 1))
		echo "-- [$RUN/4] $ALGO, $W worker(s), lcores $(lcores $W)"
		bench "$OUT/ss_bench-$ALGO-${W}w.log" $W --algo $ALGO \
			--sizes $SIZES --csv "$CSV"
	done
done

echo
echo "== Crypto back-ends: ipsec-mb (own ESP, the default) against cpu (librte_ipsec"
echo "   + cryptodev CPU crypto), 1 worker, sizes 64,1420, each run twice, alternating"
BRUN=0
for REP in 1 2; do
	for ALGO in gcm cbc; do
		for BE in ipsec-mb cpu; do
			BRUN=$((BRUN + 1))
			echo "-- [$BRUN/8] $ALGO $BE"
			bench "$OUT/ss_bench-be-$ALGO-$BE-$REP.log" 1 --algo $ALGO \
				--backend $BE --sizes 64,1420 --csv "$BCSV"
		done
	done
done

echo
echo "== Where the cycles go: 1 worker, gcm, 64 and 1420 bytes, with the workers'"
echo "   runtime profile on (cycles per received packet by stage, as 'show runtime';"
echo "   the profile's TSC reads add a few cycles), then the same rows with the"
echo "   generator writing whole mbufs (--gen-writes mbuf) instead of the NIC model"
bench "$OUT/ss_bench-stages.log" 1 --algo gcm --sizes 64,1420 --stages
bench "$OUT/ss_bench-stages-mbuf.log" 1 --algo gcm --sizes 64,1420 --stages \
	--gen-writes mbuf

echo
echo "== Steering benchmark: 2 workers, gcm, 64 bytes, ${SECS}s per row"
SRUN=0
for L4 in udp gtpu sctp; do
	for MODE in direct cross; do
		SRUN=$((SRUN + 1))
		DIRS=out
		[ "$L4" = udp ] && DIRS=out,in
		X=""
		[ "$MODE" = cross ] && X=--cross
		echo "-- [$SRUN/6] $L4 $MODE ($DIRS)"
		bench "$OUT/ss_bench-steer-$L4-$MODE.log" 2 --algo gcm \
			--sizes 64 --dirs $DIRS --l4 $L4 $X --csv "$SCSV"
	done
done

echo
rm -f "$FCSV"
if [ "$NCPU" -ge 2 ]; then
	# the CPUs the two workers run on (see lcores)
	if [ "$NCPU" -ge 3 ]; then FCPUS=1,2; else FCPUS=0,1; fi
	FREPS=9
	FMS=200
	[ "$SHORT" = 1 ] && FREPS=3 && FMS=50
	echo "== The bare crypto on CPU ${FCPUS%,*} alone and on CPUs $FCPUS at once (the"
	echo "   workers' CPUs), $FREPS alternating runs of $FMS ms, medians: what the"
	echo "   two-worker scaling can reach on this host"
	"$FS" --cpus "$FCPUS" --reps "$FREPS" --ms "$FMS" --csv "$FCSV" |
		sed 's/^/   /'
	if [ "${PIPESTATUS[0]}" != 0 ]; then
		echo "   floor_scale failed"
		RC=1
	fi
else
	echo "== The bare crypto's scaling skipped: one CPU"
fi

echo
rm -f "$ICSV"
IKE_RAN=0
if [ "$(id -u)" -ne 0 ] || [ ! -x /usr/lib/ipsec/charon ] ||
		! command -v swanctl >/dev/null; then
	echo "== SA setup benchmark skipped: needs root and strongSwan (charon, swanctl)"
else
	if [ "$SHORT" = 1 ]; then
		ISRV=1,2
		IREPS=1
	else
		ISRV=1,2,4,8,15
		IREPS=3
	fi
	echo "== SA setup benchmark against strongSwan: servers $ISRV, $IREPS round(s) each"
	/usr/bin/python3 "$HERE/ike_setup.py" "$GW" --servers $ISRV \
		--reps $IREPS --csv "$ICSV" 2>&1 | tee "$OUT/ike_setup.log"
	r=${PIPESTATUS[0]}
	IKE_RAN=1
	if [ "$r" != 0 ]; then
		echo "   ike_setup.py exited with $r (log: $OUT/ike_setup.log)"
		RC=1
	fi
fi

echo
echo "== Results (cycles are TSC cycles; per-worker figures are measured inside the workers)"
awk -F, 'NR > 1 {
	printf "%-3s %-13s %-4s %2s %8.1f %8.3f %8.3f %8.3f %8.1f %8.1f %8.1f %6.2f %8.1f %8.1f %8.1f %8.1f %5.1f %6s %s\n",
		$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $25 - $9, $11, $24 - $9, $28, $29, $12, $16,
		$18, ($20 == "ok" ? ($10 <= 150 ? "ok   PASS" : "ok   FAIL") : "FAIL -") \
		($20 == "ok" && $28 != "nan" && $2 ~ /^gcm/ ? ($28 <= 150 ? "   PASS" : "   FAIL") : "   n/a")
}' "$CSV" | (
	printf "%-3s %-13s %-4s %2s %8s %8s %8s %8s %8s %8s %8s %6s %8s %8s %8s %8s %5s %6s %s\n" \
		dir algo size W cyc/pkt Mpps/wk cap.Mpps wallMpps floor overhead p10-ovh ratio \
		arrival pair-ovh pair-arr min-cyc burst waits "check target(overhead<=150) (pair-ovh<=150)"
	cat)

echo
echo "== Scaling, 2 workers against 1: capacity = 2 x cyc(1w) / cyc(2w) from the medians,"
echo "   (best) the same from the best batches, wall = wall Mpps(2w) / wall Mpps(1w),"
echo "   bare = the bare crypto's own scaling on the same two CPUs (floor_scale above)"
touch "$FCSV"
awk -F, 'FNR == 1 { file++; next }
file == 1 { bare[$1 " " $2 " " $3] = $7; next }
{ k = $1 " " $2 " " $3; c[k, $4] = $5; m[k, $4] = $12; w[k, $4] = $8; keys[k] = 1 }
END {
	printf "%-3s %-13s %-4s %8s %8s %10s %10s %8s %8s %s\n", "dir", "algo", "size",
		"cyc 1w", "cyc 2w", "capacity", "(best)", "wall", "bare", "target(capacity >= 1.9)"
	for (k in keys) {
		if (!((k, 1) in c) || !((k, 2) in c)) continue
		split(k, f, " ")
		cap = 2 * c[k, 1] / c[k, 2]
		best = 2 * m[k, 1] / m[k, 2]
		b = (k in bare) ? sprintf("%7.2fx", bare[k]) : "      -"
		printf "%-3s %-13s %-4s %8.1f %8.1f %9.2fx %9.2fx %7.2fx %8s %s\n", f[1], f[2], f[3],
			c[k, 1], c[k, 2], cap, best, w[k, 2] / w[k, 1], b, (cap >= 1.9 ? "PASS" : "FAIL")
	}
}' "$FCSV" "$CSV" | (read -r h; echo "$h"; sort)

echo
echo "== Crypto back-ends, 1 worker: cycles/packet, the better of two runs each"
awk -F, 'NR > 1 { k = $1 " " $2 " " $3; b = $23
	if (!((k, b) in c) || $5 < c[k, b]) c[k, b] = $5
	f[k] = $9; v[k, b] = v[k, b] ($20 == "ok" ? "" : "FAIL"); keys[k] = 1 }
END {
	printf "%-3s %-13s %-4s %10s %10s %8s %s\n", "dir", "algo", "size", "ipsec-mb",
		"cpu", "saved", "verified"
	for (k in keys) {
		split(k, x, " ")
		printf "%-3s %-13s %-4s %10.1f %10.1f %7.0f%% %s\n", x[1], x[2], x[3],
			c[k, "ipsec-mb"], c[k, "cpu"],
			100 * (1 - c[k, "ipsec-mb"] / c[k, "cpu"]),
			(v[k, "ipsec-mb"] v[k, "cpu"] == "" ? "ok" : "FAIL")
	}
}' "$BCSV" | (read -r h; echo "$h"; sort)

echo
echo "== Steering: cost per packet when the owner's queue gets it (direct, as with"
echo "   NIC rte_flow rules) and when another worker hands it over (cross)"
awk -F, 'NR > 1 { split($22, p, "-"); l4 = (p[2] != "" ? p[2] : ($22 == "esp" ? "udp" : p[1]));
	mode = (p[2] != "" ? "cross" : "direct"); k = l4 " " $1
	c[k, mode] = $5; v[k, mode] = $20; keys[k] = 1 }
END {
	printf "%-5s %-3s %10s %10s %10s %s\n", "key", "dir", "direct", "cross", "handoff", "verified"
	for (k in keys) {
		split(k, f, " ")
		printf "%-5s %-3s %10.1f %10.1f %10.1f %s\n", f[1], f[2], c[k, "direct"],
			c[k, "cross"], c[k, "cross"] - c[k, "direct"],
			(v[k, "direct"] == "ok" && v[k, "cross"] == "ok") ? "ok" : "FAIL"
	}
}' "$SCSV" | (read -r h; echo "$h"; sort)
echo "   key: what carries the owner (udp: 5-tuple hash, or the ESP SPI inbound;"
echo "   gtpu: TEID; sctp: verification tag); cycles per packet over both workers;"
echo "   handoff = cross - direct (the ring hand-over and the second classification)."

cat <<EOF

How to read this:
- cyc/pkt: median over batches of (busy TSC cycles / packets) of the
  workers, i.e. the whole pipeline per packet: RX, classification,
  steering, SPD, SA lookup, ESP framing and crypto, routing, TX.
  The ports model a NIC: the generator writes only the frames' bytes
  (as a NIC's DMA does) into mbufs the sinks gave back, and the ports'
  receive function sets the mbuf fields on the worker's lcore, as a
  driver does from its descriptors; each queue's state is in a cache
  line of its own, as in a driver (the net_ring PMD's per-queue counters
  share lines, which two workers then write on every poll, so the bench
  puts its own receive and transmit functions on the ring ports); TX is
  a ring enqueue that the generator empties
  between batches without reading the mbufs (a NIC driver frees sent
  mbufs into its own lcore's cache). ss_bench --gen-writes mbuf makes
  the generator allocate and fill whole mbufs instead (every mbuf header
  line then crosses between the cores twice per packet); --sink null
  gives net_null sinks (~90 instructions/packet more in the worker).
  min-cyc: the best batch. Mpps/wk = TSC Hz / cyc/pkt:
  what one worker sustains on a core of its own. cap.Mpps = W x Mpps/wk.
- floor: the bare intel-ipsec-mb operation on the same bytes, measured
  just before the row on worker 0's CPU (this VM's two vCPUs run at
  different speeds for seconds at a time) by the generator, which moves
  there for it (GCM: init/update/finalize per packet; CBC+HMAC: jobs in
  bursts of 32, then flush), on cache-hot buffers; the 10th percentile
  of 200 runs of 96 packets (short, so that most fit between two
  preemptions of the shared CPU). It moves by up to 1.5x between runs
  here (GCM-128 at 64 bytes: 83-150 cycles), and every row's cycles with
  it: a lone floor far above its neighbours is a run the host held up.
  overhead = cyc/pkt - floor; ratio = cyc/pkt / floor. p10-ovh: the
  10th percentile of the batches less the floor, the floor's own
  statistic (noise from the host only adds cycles); the target column
  judges the median.
- pair-ovh, pair-arr: the same figures with the floor beside each batch
  (ss_bench floor_beside): right after every batch, on worker 0's CPU,
  the bare operation is run once to bring its buffers and keys back into
  the caches the batch filled, then timed (hot), then timed on data the
  generator's CPU has just written (cold). pair-ovh is the batches' mean
  cycles per packet less the hot runs' mean, pair-arr the cold runs'
  mean less the hot ones'. Both arms then see the host as it was during
  that batch (here the vCPUs' speed and the shared caches change for
  seconds at a time, which the floor taken before the row does not
  see), and means on both sides count what the host takes in proportion
  to the time each arm ran; the 'overhead' column compares the batches'
  median with the floor's 10th percentile instead, so it also carries
  the floor's own spread. The target column judges 'overhead'; the
  second verdict judges pair-ovh, for GCM only: the CBC + HMAC floor's
  short runs beside the batches come out slower than the pipeline's own
  crypto (bursts of 32 jobs flushed, as the ESP layer does; the cause
  is not found), so its pair figures are not meaningful. ss_bench
  --no-pair leaves them out (more batches per row).
- arrival: the same bare operation on data another CPU has just written
  (the generator writes each run's buffers on its own CPU, then runs the
  operation on worker 0's, in runs that alternate with the floor's;
  ss_bench's "cold floor"), less the floor: what
  the data's arrival costs the crypto alone, a part of the overhead that
  no pipeline work removes (prefetching can only overlap it). nan where
  the generator has no CPU apart from worker 0's.
- wallMpps: packets / wall time of the batches. The generator puts a
  whole batch (1024 frames per server: what an RX ring of 1024
  descriptors has in flight, so the workers cycle through as many mbufs
  as behind a real NIC queue) into the source rings at once and waits
  until the workers are done: it spins where it has a CPU of its own,
  else it sleeps (checking every 20 us) to leave the CPUs to the
  workers, and then wallMpps is the workers' rate less what the OS and
  those wake-ups take. Per-worker cycles count time a worker is
  preempted inside a busy poll as busy.
- waits: times the generator found the rings full (backpressure; the
  generator waits, nothing is dropped). check ok: every packet went
  through its server's SA and out of the sink port, no drop counter moved.
- Sizes are inner IP packet lengths; imix is 7:4:1 of 64/570/1500-byte
  IP packets (the outer MTU is 1600 so the 1500-byte ones fit after ESP).
- Memory: $MEMDESC (CSV column page_kb). With
  4 KB pages each packet's mbuf header and data lines are on pages of
  their own: TLB misses (nested page walks under a hypervisor) on every
  packet that a deployment, which always runs on hugepages, does not
  have. Compare rows on the same page size only (--pages, --reserve-huge).
EOF

if [ -z "${SS_BENCH_NOPLOT:-}" ] && command -v gnuplot >/dev/null; then
	PD=$OUT/plot
	mkdir -p "$PD"
	rm -f "$PD"/*.dat
	# One file per (dir, algo, workers): label cyc mpps floor floor_mpps
	awk -F, -v d="$PD" 'NR > 1 {
		f = d "/" $1 "_" $2 "_" $4 "w.dat"
		print $3, $5, $6, $9, $21 / $9 >> f
	}' "$CSV"
	# Per (dir, algo, size): workers capacity wall
	awk -F, -v d="$PD" 'NR > 1 {
		f = d "/scale_" $1 "_" $2 "_" $3 ".dat"
		print $4, $7, $8 >> f
	}' "$CSV"
	gnuplot -e "pd='$PD'; out='$OUT'" "$HERE/esp.gnuplot" 2>"$OUT/gnuplot.err" ||
		{ echo "gnuplot failed:"; cat "$OUT/gnuplot.err"; RC=1; }
	echo
	echo "== Plots: $(cd "$OUT" && ls esp_*.png 2>/dev/null | tr '\n' ' ')"
fi
echo "== CSV: $CSV $SCSV $BCSV$([ -f "$ICSV" ] && echo " $ICSV")"

if [ "$CHECK" = 1 ]; then
	nsizes=$(echo "$SIZES" | tr ',' '\n' | wc -l)
	want=$((nsizes * 2 * 2 * 2))
	have=$(awk -F, 'NR > 1 && $20 == "ok"' "$CSV" | wc -l)
	rows=$(($(wc -l < "$CSV") - 1))
	if [ "$rows" != "$want" ] || [ "$have" != "$want" ]; then
		echo "CHECK FAILED: $rows rows, $have verified, $want expected"
		RC=1
	else
		echo "CHECK: all $want rows present and verified"
	fi
	# 2 runs x gcm/cbc x 2 back-ends x out/in x 2 sizes
	bwant=32
	bhave=$(awk -F, 'NR > 1 && $20 == "ok"' "$BCSV" | wc -l)
	if [ "$bhave" != "$bwant" ]; then
		echo "CHECK FAILED: back-ends: $bhave verified rows, $bwant expected"
		RC=1
	else
		echo "CHECK: all $bwant back-end rows present and verified"
	fi
	# udp: out+in, gtpu and sctp: out; each direct and cross
	swant=8
	shave=$(awk -F, 'NR > 1 && $20 == "ok"' "$SCSV" | wc -l)
	srows=$(($(wc -l < "$SCSV") - 1))
	if [ "$srows" != "$swant" ] || [ "$shave" != "$swant" ]; then
		echo "CHECK FAILED: steering: $srows rows, $shave verified, $swant expected"
		RC=1
	else
		echo "CHECK: all $swant steering rows present and verified"
	fi
	if [ "$IKE_RAN" = 1 ]; then
		iwant=$(echo "$ISRV" | tr ',' '\n' | wc -l)
		irows=$(($(wc -l < "$ICSV" 2>/dev/null || echo 1) - 1))
		if [ "$irows" -lt "$iwant" ]; then
			echo "CHECK FAILED: SA setup: $irows rows, $iwant expected"
			RC=1
		else
			echo "CHECK: SA setup rows for $iwant server counts present"
		fi
	fi
fi
exit $RC
