// probe: what a check inside the cluster needs, in one static binary (there is no busybox
// image here).
//
//	probe serve ADDR TEXT        answers every HTTP request with TEXT and the host name
//	probe get URL                prints the body; fails unless the status is 200
//	probe resolve NAME [SERVER]  prints NAME's addresses, one a line, asking SERVER (host:port)
//	                             when given, else the resolvers of /etc/resolv.conf
//	probe sleep                  waits for SIGTERM (a pod to exec into)
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fail("usage: probe serve ADDR TEXT | get URL | resolve NAME [SERVER] | sleep")
	}
	switch args := os.Args[2:]; os.Args[1] {
	case "serve":
		need(args, 2)
		serve(args[0], args[1])
	case "get":
		need(args, 1)
		get(args[0])
	case "resolve":
		if len(args) != 1 && len(args) != 2 {
			fail("usage: probe resolve NAME [SERVER]")
		}
		server := ""
		if len(args) == 2 {
			server = args[1]
		}
		resolve(args[0], server)
	case "sleep":
		waitForTermination()
	default:
		fail("unknown command " + os.Args[1])
	}
}

func need(args []string, n int) {
	if len(args) != n {
		fail(fmt.Sprintf("%s takes %d arguments", os.Args[1], n))
	}
}

func fail(message string) {
	fmt.Fprintln(os.Stderr, "probe:", message)
	os.Exit(1)
}

// waitForTermination returns on SIGTERM or SIGINT: as a pod's first process the kernel
// would otherwise ignore them.
func waitForTermination() {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	<-signals
}

func serve(addr, text string) {
	host, _ := os.Hostname()
	server := &http.Server{
		Addr:              addr,
		ReadHeaderTimeout: 5 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			fmt.Fprintf(w, "%s from %s\n", text, host)
		}),
	}
	go func() {
		waitForTermination()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = server.Shutdown(ctx)
	}()
	if err := server.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		fail(err.Error())
	}
}

func get(url string) {
	client := &http.Client{Timeout: 10 * time.Second}
	res, err := client.Get(url)
	if err != nil {
		fail(err.Error())
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		fail(err.Error())
	}
	os.Stdout.Write(body)
	if res.StatusCode != http.StatusOK {
		fail(fmt.Sprintf("%s answered %s", url, res.Status))
	}
}

func resolve(name, server string) {
	resolver := net.DefaultResolver
	if server != "" {
		resolver = &net.Resolver{
			PreferGo: true,
			Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, network, server)
			},
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	addrs, err := resolver.LookupHost(ctx, name)
	if err != nil {
		fail(err.Error())
	}
	for _, a := range addrs {
		fmt.Println(a)
	}
}
