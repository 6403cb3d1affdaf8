// Command local runs the whole Flowhook stack in one process for `make run`: every HTTP
// route of every function on one listener, the embedded (bbolt) store and the encrypted
// local secret file under the data directory, and the tokens it creates on first start.
// No AWS account, no Docker.
//
// Settings come from the environment (flags mirror them):
//
//	FLOWHOOK_ADDR                listen address (default 127.0.0.1:3000)
//	FLOWHOOK_DATA_DIR            data directory (default .flowhook)
//	FLOWHOOK_EGRESS_ALLOW_CIDRS  CIDRs webhooks may reach despite the egress blocklist,
//	                             e.g. 127.0.0.0/8 for a local test server (default none)
//	FLOWHOOK_EXTRA_CA_FILE       a PEM file of extra CAs webhooks' TLS may chain to
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	cfg := configFromEnv()
	flag.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address (FLOWHOOK_ADDR)")
	flag.StringVar(&cfg.DataDir, "data", cfg.DataDir, "data directory (FLOWHOOK_DATA_DIR)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, os.Stdout, nil); err != nil {
		fmt.Fprintln(os.Stderr, "flowhook:", err)
		log.SetFlags(0)
		os.Exit(1)
	}
}
