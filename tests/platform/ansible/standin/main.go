// Command standin stands in for an operator tool's release binary in the jump_host role test.
//
// It answers only the version command of the tool it is built for, in that tool's own output format;
// tool and version are set at build time: go build -ldflags "-X main.tool=kubectl -X main.version=1.34.4".
package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
)

var (
	tool    = "unknown"
	version = "0.0.0"
)

func main() {
	args := strings.Join(os.Args[1:], " ")
	switch {
	case tool == "kubectl" && args == "version --client":
		fmt.Printf("Client Version: v%s\nKustomize Version: v5.7.1\n", version)
	case tool == "kubelogin" && args == "--version":
		fmt.Printf("kubelogin version\ngit hash: v%s/standin\nGo version: %s\nPlatform: %s/%s\n",
			version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	case tool == "argocd" && args == "version --client --short":
		fmt.Printf("argocd: v%s+standin\n", version)
	default:
		fmt.Fprintf(os.Stderr, "%s %s stand-in: only the version command is implemented\n", tool, version)
		os.Exit(2)
	}
}
