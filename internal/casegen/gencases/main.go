// Command gencases writes realistic check cases as cases.yaml, cases.json
// and anchor.json (the same cases as @cloud-copilot/iam-simulate input):
//
//	go run ./internal/casegen/gencases -n 20000 -out /tmp/cases
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/iamwhy/iamwhy/internal/casegen"
)

func main() {
	n := flag.Int("n", 20000, "number of cases")
	out := flag.String("out", "", "directory to write (required; outside the repository)")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "gencases: -out DIR is required")
		os.Exit(2)
	}
	if err := casegen.WriteAll(*out, *n); err != nil {
		fmt.Fprintln(os.Stderr, "gencases:", err)
		os.Exit(1)
	}
}
