// Command ferretdb-odx runs FerretDB 1.24 (SQLite or PostgreSQL backend) for
// the ODX local stack. It exists because a plain `go install` of FerretDB panics on a
// missing version file; embedding the `ferretdb` package avoids that.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	dataDir := flag.String("data", "data", "directory holding the SQLite databases (created with either handler: the launcher finds its process by it)")
	handler := flag.String("handler", "sqlite", "backend: sqlite or postgresql")
	postgresqlURL := flag.String("postgresql-url", "", "PostgreSQL connection string for the postgresql handler, e.g. postgres://ferretdb@127.0.0.1:5433/ferretdb")
	logLevel := flag.String("log-level", "warn", "log level: debug, info, warn or error")
	// WAL with synchronous=NORMAL: a commit survives a crash of this process (the
	// WAL is in the OS), only not an OS crash or power loss. FULL would fsync on
	// every insert, which caps FerretDB at about a thousand writes a second.
	synchronous := flag.String("synchronous", "NORMAL", "SQLite synchronous pragma: OFF, NORMAL or FULL")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb-odx: invalid -log-level %q: %v\n", *logLevel, err)
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	switch *synchronous {
	case "OFF", "NORMAL", "FULL":
	default:
		fmt.Fprintf(os.Stderr, "ferretdb-odx: invalid -synchronous %q: want OFF, NORMAL or FULL\n", *synchronous)
		os.Exit(2)
	}

	switch {
	case *handler == "postgresql" && *postgresqlURL == "":
		fmt.Fprintln(os.Stderr, "ferretdb-odx: -handler postgresql needs -postgresql-url")
		os.Exit(2)
	case *handler != "sqlite" && *handler != "postgresql":
		fmt.Fprintf(os.Stderr, "ferretdb-odx: invalid -handler %q: want sqlite or postgresql\n", *handler)
		os.Exit(2)
	}

	if err := run(*listen, *dataDir, *synchronous, *handler, *postgresqlURL, logger); err != nil {
		logger.Error("ferretdb-odx stopped", "err", err)
		os.Exit(1)
	}
}

func run(listen, dataDir, synchronous, handler, postgresqlURL string, logger *slog.Logger) error {
	dir, err := filepath.Abs(dataDir)
	if err != nil {
		return fmt.Errorf("resolve data directory: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}

	config := &ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: listen},
		Handler:  handler,
		Logger:   logger,
	}
	where := "data in " + dir
	if handler == "postgresql" {
		config.PostgreSQLURL = postgresqlURL
		where = "PostgreSQL backend " + postgresqlURL
	} else {
		config.SQLiteURL = "file:" + dir + "/?_pragma=synchronous(" + synchronous + ")"
	}

	f, err := ferretdb.New(config)
	if err != nil {
		return err
	}

	// Run returns once ctx is cancelled and every connection is closed, so
	// SIGTERM from `npm run stack -- down` shuts down cleanly.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	// Printed whatever the log level, so the launcher's log shows each start.
	fmt.Fprintf(os.Stderr, "ferretdb-odx: FerretDB listening on %s, %s\n", listen, where)
	return f.Run(ctx)
}
