// Command iamwhy finds out why AWS answered AccessDenied.
package main

import (
	"os"

	"github.com/iamwhy/iamwhy/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.StdStreams()))
}
