# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 shardsec authors
#
# Plots for tests/bench/run.sh. Called with pd (folder of .dat files that
# run.sh writes) and out (output folder).
#   <dir>_<algo>_<W>w.dat: size-label cycles mpps-per-worker floor floor-mpps
#   scale_<dir>_<algo>_<size>.dat: workers capacity-mpps wall-mpps

set terminal pngcairo size 1400,1000 font ",10"
set grid
set key top right font ",9"
set style data linespoints

algos = "gcm128 cbc128-sha256"
dirs = "out in"
dat(d, a, w) = sprintf("%s/%s_%s_%dw.dat", pd, d, a, w)

# ---- Mpps per worker against packet size --------------------------------
set output out . "/esp_mpps.png"
set multiplot layout 2,2 title "ESP pipeline: Mpps per worker (TSC Hz / busy cycles per packet) against packet size"
do for [a in algos] {
	do for [d in dirs] {
		set title sprintf("%s, %s", d eq "out" ? "outbound" : "inbound", a)
		set xlabel "inner IP packet size (bytes)"
		set ylabel "Mpps per worker"
		set yrange [0:*]
		plot for [w=1:2] dat(d, a, w) \
			using 0:3:xtic(1) lw 2 title sprintf("%d worker(s)", w), \
			dat(d, a, 1) using 0:5:xtic(1) dt 2 lw 2 lc rgb "black" \
			title "crypto floor (bare intel-ipsec-mb)"
	}
}
unset multiplot

# ---- cycles per packet against packet size ------------------------------
set output out . "/esp_cycles.png"
set multiplot layout 2,2 title "ESP pipeline: busy cycles per packet (whole pipeline) against packet size, with the crypto floor"
do for [a in algos] {
	do for [d in dirs] {
		set title sprintf("%s, %s", d eq "out" ? "outbound" : "inbound", a)
		set xlabel "inner IP packet size (bytes)"
		set ylabel "TSC cycles per packet"
		set yrange [0:*]
		plot for [w=1:2] dat(d, a, w) \
			using 0:2:xtic(1) lw 2 title sprintf("%d worker(s)", w), \
			dat(d, a, 1) using 0:4:xtic(1) dt 2 lw 2 lc rgb "black" \
			title "crypto floor", \
			dat(d, a, 1) using 0:($4 + 150):xtic(1) dt 3 lw 1 \
			lc rgb "red" title "floor + 150 (overhead target)"
	}
}
unset multiplot

# ---- capacity against worker count ---------------------------------------
set output out . "/esp_workers.png"
set multiplot layout 2,2 title "ESP pipeline: Mpps against worker count (solid: W x per-worker capacity; dashed: wall clock on this machine)"
set xrange [0.8:2.2]
set xtics 1
do for [a in algos] {
	do for [d in dirs] {
		files = system(sprintf("ls %s/scale_%s_%s_*.dat 2>/dev/null", pd, d, a))
		pre = sprintf("%s/scale_%s_%s_", pd, d, a)
		set title sprintf("%s, %s", d eq "out" ? "outbound" : "inbound", a)
		set xlabel "workers"
		set ylabel "Mpps"
		set yrange [0:*]
		plot for [i=1:words(files)] word(files, i) using 1:2 lw 2 lc i \
			title word(files, i)[strlen(pre) + 1:strlen(word(files, i)) - 4], \
			for [i=1:words(files)] word(files, i) using 1:3 dt 2 lw 1 lc i \
			notitle
	}
}
unset multiplot
