package main

import (
	"context"
	"fmt"
	"io"
)

func cmdMigrate(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fs := newFlags("migrate", stderr)
	dsn := dbFlag(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, applied, err := openMigrated(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, name := range applied {
		fmt.Fprintln(stdout, "applied", name)
	}
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "schema version %d (%s)\n", v, db.Engine())
	return nil
}
