// Command gen writes a synthetic organisation in the environment layout, for
// benchmarks and load tests:
//
//	go run ./snapshot/internal/gen -out /tmp/iamwhy-synth            # 50 accounts, 10,000 roles, 20,000 policies, 5,000 resource policies
//	go run ./snapshot/internal/gen -out /tmp/small -small
//
// Write it outside the repository: the large output is about 100 MB.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/iamwhy/iamwhy/internal/synth"
)

func main() {
	out := flag.String("out", "", "directory to write (required; outside the repository)")
	small := flag.Bool("small", false, "write the small test organisation instead of the large one")
	cfg := synth.Large
	flag.IntVar(&cfg.Accounts, "accounts", cfg.Accounts, "accounts")
	flag.IntVar(&cfg.Roles, "roles", cfg.Roles, "roles (total)")
	flag.IntVar(&cfg.Users, "users", cfg.Users, "users (total)")
	flag.IntVar(&cfg.Groups, "groups", cfg.Groups, "groups (total)")
	flag.IntVar(&cfg.ManagedPolicies, "policies", cfg.ManagedPolicies, "customer managed policies (total)")
	flag.IntVar(&cfg.ResourcePolicies, "resources", cfg.ResourcePolicies, "resource-policy records (total)")
	flag.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "random seed")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "gen: -out DIR is required")
		os.Exit(2)
	}
	if *small {
		cfg = synth.Small
	}
	start := time.Now()
	sum, err := synth.Generate(*out, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %s in %v: %d accounts, %d users, %d groups, %d roles, %d managed policies (%d versions), %d resource policies, %.1f MB\n",
		*out, time.Since(start).Round(time.Millisecond), sum.Accounts, sum.Users, sum.Groups, sum.Roles,
		sum.ManagedPolicies, sum.PolicyVersions, sum.ResourcePolicies, float64(sum.Bytes)/1e6)
}
