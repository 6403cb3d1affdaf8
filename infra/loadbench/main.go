// Command loadbench measures Flowhook as `make bench` reports it, in two sections.
//
// Load: the local stack (infra/stack: embedded store with fsync, the dispatcher playing
// the runs stream's part, as `make run` runs it) on a temporary data directory behind a
// loopback HTTP listener, and a local TLS endpoint that counts the requests it receives
// per idempotency key (<runId>:<stepId>). A connector, a webhook and a workflow (webhook,
// then a message) are created through the API; -n events, each with its own
// Idempotency-Key and contact, are posted over HTTP by -c concurrent clients; every run
// is awaited (bounded by -timeout). It prints accepted events/s, completed runs/s, the
// p50 and p99 of the time from posting an event to its run's finishedAt, and the counts
// of lost sends (runs that should have sent and did not) and duplicated sends (keys
// received more than once).
//
// Cold start: every function under functions/ and a minimal aws-lambda-go hello world
// (./hello) are built for the host architecture as for Lambda and started -cold-runs
// times each under aws-lambda-rie (infra/rie) against moto_server; each start is timed
// from starting the emulator to the response of the first invocation of a sample event
// (coldstart/<function>.json, else the first of events/<function>/). It prints each
// median and its ratio to the hello world's.
//
// The exit status is 1 when a send was lost or duplicated, a run did not succeed, an
// event was refused, or a cold start failed. Everything listens on loopback only.
//
//	go run ./infra/loadbench [-n 2000] [-c 16] [-workers 0] [-cold-runs 5] [-skip-cold] [-skip-load] [-cpuprofile FILE]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/flowhook/flowhook/infra/rie"
)

func main() {
	load := loadConfig{}
	flag.IntVar(&load.Events, "n", 2000, "events to post")
	flag.IntVar(&load.Posters, "c", 16, "concurrent posting clients")
	flag.IntVar(&load.Workers, "workers", 0, "dispatcher workers (0: the stack's default, as make run)")
	flag.DurationVar(&load.Timeout, "timeout", 5*time.Minute, "bound of the load run (posting and waiting)")
	coldRuns := flag.Int("cold-runs", 5, "cold starts measured per function")
	coldTimeout := flag.Duration("cold-timeout", 5*time.Minute, "bound of the cold-start section (builds included)")
	skipLoad := flag.Bool("skip-load", false, "skip the load section")
	skipCold := flag.Bool("skip-cold", false, "skip the cold-start section")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the load section to this file")
	flag.Parse()
	if load.Events < 1 || load.Posters < 1 || *coldRuns < 1 {
		fmt.Fprintln(os.Stderr, "loadbench: -n, -c and -cold-runs must be at least 1")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logf := func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }
	failed := false
	if !*skipLoad {
		if *cpuProfile != "" {
			f, err := os.Create(*cpuProfile)
			if err != nil {
				fmt.Fprintln(os.Stderr, "loadbench:", err)
				os.Exit(1)
			}
			if err := pprof.StartCPUProfile(f); err != nil {
				fmt.Fprintln(os.Stderr, "loadbench:", err)
				os.Exit(1)
			}
		}
		r, err := runLoad(ctx, load, logf)
		if *cpuProfile != "" {
			pprof.StopCPUProfile()
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadbench: load:", err)
			os.Exit(1)
		}
		printLoad(os.Stdout, load, r)
		if err := loadOK(r); err != nil {
			fmt.Fprintln(os.Stderr, "loadbench: FAIL:", err)
			failed = true
		}
	}
	if !*skipCold {
		root, err := rie.ModuleRoot(".")
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadbench:", err)
			os.Exit(1)
		}
		targets, err := coldStarts(ctx, coldConfig{Root: root, Runs: *coldRuns, Timeout: *coldTimeout}, logf)
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadbench: cold start:", err)
			os.Exit(1)
		}
		printCold(os.Stdout, targets, *coldRuns)
	}
	if failed {
		os.Exit(1)
	}
}
