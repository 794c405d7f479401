// Command gentrail writes a synthetic CloudTrail set for benchmarks:
//
//	go run ./trail/internal/gen/gentrail -out /tmp/trail-2g -size 2GB
//
// With -roles N the role sessions of the trail belong to N roles, and
// -env DIR writes an environment of those N roles (for unused and
// generate --env); -env alone writes only the environment:
//
//	go run ./trail/internal/gen/gentrail -out /tmp/trail-2g -size 2GB -roles 1000 -env /tmp/env-1000
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/iamwhy/iamwhy/trail/internal/gen"
)

func main() {
	out := flag.String("out", "", "directory to write the AWSLogs tree into")
	size := flag.String("size", "100MB", "uncompressed size to write (KB, MB, GB suffixes)")
	per := flag.Int("records-per-file", 1000, "records per file")
	seed := flag.Uint64("seed", 1, "random seed")
	roles := flag.Int("roles", 0, "roles whose sessions make the role calls (0: 40 per account, the older benchmarks' set)")
	env := flag.String("env", "", "also write an environment of the -roles roles into this directory")
	flag.Parse()
	if *out == "" && *env == "" {
		fmt.Fprintln(os.Stderr, "gentrail: -out or -env is required")
		os.Exit(2)
	}
	if *env != "" {
		if *roles == 0 {
			fmt.Fprintln(os.Stderr, "gentrail: -env needs -roles (the same value the trail was written with)")
			os.Exit(2)
		}
		if err := os.MkdirAll(*env, 0o755); err != nil {
			fmt.Fprintln(os.Stderr, "gentrail:", err)
			os.Exit(1)
		}
		if err := gen.WriteEnv(*env, *roles); err != nil {
			fmt.Fprintln(os.Stderr, "gentrail:", err)
			os.Exit(1)
		}
		fmt.Printf("environment of %d roles in %s\n", *roles, *env)
		if *out == "" {
			return
		}
	}
	n, err := parseSize(*size)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gentrail:", err)
		os.Exit(2)
	}
	res, err := gen.Generate(gen.Options{Dir: *out, Bytes: n, RecordsPerFile: *per, Seed: *seed, Roles: *roles})
	if err != nil {
		fmt.Fprintln(os.Stderr, "gentrail:", err)
		os.Exit(1)
	}
	fmt.Printf("%d files, %d records (%d denied), %d bytes uncompressed, %d compressed\n",
		res.Files, res.Records, res.Denied, res.Bytes, res.Compressed)
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	u := strings.ToUpper(s)
	for _, suf := range []struct {
		s string
		m int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}} {
		if strings.HasSuffix(u, suf.s) {
			mult, u = suf.m, strings.TrimSuffix(u, suf.s)
			break
		}
	}
	v, err := strconv.ParseFloat(u, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("invalid size %q", s)
	}
	return int64(v * float64(mult)), nil
}
