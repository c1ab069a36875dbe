// Command kube-harness runs a real kube-apiserver 1.35 (and, by default,
// kube-controller-manager) on loopback for effect-kube's conformance suite.
//
// One binary, several roles: `kube-harness run --dir D` starts an embedded
// etcd 3.6, generates certificates, tokens and kubeconfigs, and supervises
// child processes of itself in the `apiserver` and `controller-manager`
// roles (the components keep process-global state such as metric registries
// and flags, so they are not run in one process). When the API server is
// ready, D/ready.json is written; SIGTERM or SIGINT stops everything and
// removes etcd's data.
package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: kube-harness run --dir DIR [--controller-manager=true] [--etcd-compaction-interval=30s]")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "apiserver":
		command := apiserver.NewAPIServerCommand()
		command.SetArgs(os.Args[2:])
		os.Exit(cli.Run(command))
	case "controller-manager":
		command := controllermanager.NewControllerManagerCommand()
		command.SetArgs(os.Args[2:])
		os.Exit(cli.Run(command))
	case "run":
		if err := run(os.Args[2:]); err != nil {
			fmt.Fprintf(os.Stderr, "kube-harness: %v\n", err)
			os.Exit(1)
		}
	default:
		fmt.Fprintf(os.Stderr, "kube-harness: unknown role %q\n", os.Args[1])
		os.Exit(2)
	}
}

// ready is what ready.json says once the API server answers.
type ready struct {
	Server            string            `json:"server"`
	Version           string            `json:"version"`
	Pid               int               `json:"pid"`
	Ports             map[string]int    `json:"ports"`
	Tokens            map[string]string `json:"tokens"`
	Kubeconfigs       map[string]string `json:"kubeconfigs"`
	CAFile            string            `json:"caFile"`
	ControllerManager bool              `json:"controllerManager"`
	StartupMillis     int64             `json:"startupMillis"`
}

func freePort() (int, error) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer listener.Close()
	return listener.Addr().(*net.TCPAddr).Port, nil
}

func randomToken() string {
	bytes := make([]byte, 16)
	_, _ = rand.Read(bytes)
	return hex.EncodeToString(bytes)
}

func kubeconfig(server string, ca []byte, user string, credentials map[string]string) string {
	var lines strings.Builder
	fmt.Fprintf(&lines, "apiVersion: v1\nkind: Config\ncurrent-context: harness\n")
	fmt.Fprintf(&lines, "clusters:\n- name: harness\n  cluster:\n    server: %s\n    certificate-authority-data: %s\n", server, base64.StdEncoding.EncodeToString(ca))
	fmt.Fprintf(&lines, "users:\n- name: %s\n  user:\n", user)
	for _, key := range []string{"token", "client-certificate-data", "client-key-data"} {
		if value, ok := credentials[key]; ok {
			fmt.Fprintf(&lines, "    %s: %s\n", key, value)
		}
	}
	fmt.Fprintf(&lines, "contexts:\n- name: harness\n  context:\n    cluster: harness\n    user: %s\n    namespace: default\n", user)
	return lines.String()
}

func run(args []string) error {
	flags := flag.NewFlagSet("run", flag.ContinueOnError)
	dir := flags.String("dir", "", "working directory for certificates, kubeconfigs, logs and ready.json (required)")
	withControllerManager := flags.Bool("controller-manager", true, "also run kube-controller-manager (namespace deletion, garbage collection, service accounts)")
	compaction := flags.Duration("etcd-compaction-interval", 30*time.Second, "how often the API server compacts etcd (sooner means a watch from an old resourceVersion gets 410 sooner)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("--dir is required")
	}
	started := time.Now()
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return err
	}
	workDir, err := filepath.Abs(*dir)
	if err != nil {
		return err
	}
	_ = os.Remove(filepath.Join(workDir, "ready.json"))

	keys, err := newPKI()
	if err != nil {
		return fmt.Errorf("certificates: %w", err)
	}
	if err := keys.write(workDir); err != nil {
		return err
	}
	tokens := map[string]string{"admin": randomToken(), "restricted": randomToken()}
	tokenFile := fmt.Sprintf("%s,admin,admin-uid,\"system:masters\"\n%s,restricted,restricted-uid\n", tokens["admin"], tokens["restricted"])
	if err := os.WriteFile(filepath.Join(workDir, "tokens.csv"), []byte(tokenFile), 0o600); err != nil {
		return err
	}

	ports := map[string]int{}
	for _, name := range []string{"etcdClient", "etcdPeer", "apiserver", "controllerManager"} {
		if ports[name], err = freePort(); err != nil {
			return err
		}
	}

	// etcd, embedded, with its data in memory when /dev/shm exists.
	dataRoot := os.TempDir()
	if info, statErr := os.Stat("/dev/shm"); statErr == nil && info.IsDir() {
		dataRoot = "/dev/shm"
	}
	etcdData, err := os.MkdirTemp(dataRoot, "kube-harness-etcd-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(etcdData)
	etcdConfig := embed.NewConfig()
	etcdConfig.Name = "harness"
	etcdConfig.Dir = etcdData
	clientURL, _ := url.Parse(fmt.Sprintf("http://127.0.0.1:%d", ports["etcdClient"]))
	peerURL, _ := url.Parse(fmt.Sprintf("http://127.0.0.1:%d", ports["etcdPeer"]))
	etcdConfig.ListenClientUrls, etcdConfig.AdvertiseClientUrls = []url.URL{*clientURL}, []url.URL{*clientURL}
	etcdConfig.ListenPeerUrls, etcdConfig.AdvertisePeerUrls = []url.URL{*peerURL}, []url.URL{*peerURL}
	etcdConfig.InitialCluster = etcdConfig.InitialClusterFromName(etcdConfig.Name)
	etcdConfig.UnsafeNoFsync = true
	etcdConfig.WatchProgressNotifyInterval = 5 * time.Second
	etcdConfig.LogLevel = "error"
	etcdConfig.LogOutputs = []string{filepath.Join(workDir, "etcd.log")}
	etcd, err := embed.StartEtcd(etcdConfig)
	if err != nil {
		return fmt.Errorf("etcd: %w", err)
	}
	defer etcd.Close()
	select {
	case <-etcd.Server.ReadyNotify():
	case <-time.After(60 * time.Second):
		return errors.New("etcd did not become ready within 60s")
	}

	self, err := os.Executable()
	if err != nil {
		return err
	}
	server := fmt.Sprintf("https://127.0.0.1:%d", ports["apiserver"])
	file := func(name string) string { return filepath.Join(workDir, name) }
	children := []*exec.Cmd{}
	exited := make(chan string, 2)
	start := func(role string, args []string) error {
		logFile, err := os.Create(file(role + ".log"))
		if err != nil {
			return err
		}
		command := exec.Command(self, append([]string{role}, args...)...)
		command.Stdout, command.Stderr = logFile, logFile
		if err := command.Start(); err != nil {
			return err
		}
		children = append(children, command)
		go func() {
			_ = command.Wait()
			logFile.Close()
			exited <- role
		}()
		return nil
	}
	stopChildren := func() {
		for _, child := range children {
			_ = child.Process.Signal(syscall.SIGTERM)
		}
		deadline := time.After(20 * time.Second)
		for range children {
			select {
			case <-exited:
			case <-deadline:
				for _, child := range children {
					_ = child.Process.Kill()
				}
				return
			}
		}
	}
	defer stopChildren()

	err = start("apiserver", []string{
		"--etcd-servers=" + clientURL.String(),
		"--etcd-compaction-interval=" + compaction.String(),
		"--bind-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", ports["apiserver"]),
		"--advertise-address=127.0.0.1",
		"--endpoint-reconciler-type=none",
		"--tls-cert-file=" + file("server.crt"),
		"--tls-private-key-file=" + file("server.key"),
		"--client-ca-file=" + file("client-ca.crt"),
		"--token-auth-file=" + file("tokens.csv"),
		"--authorization-mode=RBAC",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-signing-key-file=" + file("sa.key"),
		"--service-account-key-file=" + file("sa.pub"),
		"--service-cluster-ip-range=10.0.0.0/24",
		// Pods in a namespace created a moment ago would race the service-account
		// controller; the conformance suite creates many such namespaces.
		"--disable-admission-plugins=ServiceAccount",
		"--allow-privileged=true",
		"--profiling=false",
		"--cert-dir=" + file("apiserver-certs"),
	})
	if err != nil {
		return err
	}

	caPool := x509.NewCertPool()
	caPool.AppendCertsFromPEM(keys.servingCA.certPEM)
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: caPool}}}
	get := func(path string) (int, []byte, error) {
		request, _ := http.NewRequest(http.MethodGet, server+path, nil)
		request.Header.Set("Authorization", "Bearer "+tokens["admin"])
		response, err := client.Do(request)
		if err != nil {
			return 0, nil, err
		}
		defer response.Body.Close()
		body, err := io.ReadAll(response.Body)
		return response.StatusCode, body, err
	}
	waitFor := func(what string, timeout time.Duration, done func() bool) error {
		deadline := time.Now().Add(timeout)
		for !done() {
			select {
			case role := <-exited:
				return fmt.Errorf("%s exited while waiting for %s; see %s", role, what, file(role+".log"))
			case <-time.After(250 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("timed out after %s waiting for %s", timeout, what)
			}
		}
		return nil
	}
	if err := waitFor("/readyz", 120*time.Second, func() bool {
		code, _, err := get("/readyz")
		return err == nil && code == http.StatusOK
	}); err != nil {
		return err
	}
	if err := waitFor("namespace default", 60*time.Second, func() bool {
		code, _, err := get("/api/v1/namespaces/default")
		return err == nil && code == http.StatusOK
	}); err != nil {
		return err
	}
	var version struct {
		GitVersion string `json:"gitVersion"`
	}
	if _, body, err := get("/version"); err == nil {
		_ = json.Unmarshal(body, &version)
	}

	kubeconfigs := map[string]string{
		"admin":      file("admin.kubeconfig"),
		"restricted": file("restricted.kubeconfig"),
		"cert":       file("cert.kubeconfig"),
	}
	contents := map[string]string{
		"admin":      kubeconfig(server, keys.servingCA.certPEM, "admin", map[string]string{"token": tokens["admin"]}),
		"restricted": kubeconfig(server, keys.servingCA.certPEM, "restricted", map[string]string{"token": tokens["restricted"]}),
		"cert": kubeconfig(server, keys.servingCA.certPEM, "cert-user", map[string]string{
			"client-certificate-data": base64.StdEncoding.EncodeToString(keys.certUser.certPEM),
			"client-key-data":         base64.StdEncoding.EncodeToString(keys.certUser.keyPEM),
		}),
	}
	for name, path := range kubeconfigs {
		if err := os.WriteFile(path, []byte(contents[name]), 0o600); err != nil {
			return err
		}
	}

	if *withControllerManager {
		err = start("controller-manager", []string{
			"--kubeconfig=" + kubeconfigs["admin"],
			"--authentication-kubeconfig=" + kubeconfigs["admin"],
			"--authorization-kubeconfig=" + kubeconfigs["admin"],
			"--bind-address=127.0.0.1",
			fmt.Sprintf("--secure-port=%d", ports["controllerManager"]),
			"--cert-dir=" + file("controller-manager-certs"),
			"--leader-elect=false",
			"--service-account-private-key-file=" + file("sa.key"),
			"--root-ca-file=" + file("ca.crt"),
			"--cluster-signing-cert-file=" + file("client-ca.crt"),
			"--cluster-signing-key-file=" + file("client-ca.key"),
			"--profiling=false",
		})
		if err != nil {
			return err
		}
		// The namespace controller is the last thing the suite relies on; when the
		// default service account exists, the service-account controllers run too.
		if err := waitFor("the default service account", 90*time.Second, func() bool {
			code, _, err := get("/api/v1/namespaces/default/serviceaccounts/default")
			return err == nil && code == http.StatusOK
		}); err != nil {
			return err
		}
	} else {
		delete(ports, "controllerManager")
	}

	state := ready{
		Server: server, Version: version.GitVersion, Pid: os.Getpid(), Ports: ports, Tokens: tokens,
		Kubeconfigs: kubeconfigs, CAFile: file("ca.crt"), ControllerManager: *withControllerManager,
		StartupMillis: time.Since(started).Milliseconds(),
	}
	encoded, _ := json.MarshalIndent(state, "", "  ")
	// Written under another name and renamed, so a reader never sees half a file.
	if err := os.WriteFile(file("ready.json.tmp"), encoded, 0o600); err != nil {
		return err
	}
	if err := os.Rename(file("ready.json.tmp"), file("ready.json")); err != nil {
		return err
	}
	fmt.Printf("kube-harness: %s %s ready in %s; admin kubeconfig: %s\n", server, version.GitVersion, time.Since(started).Round(time.Millisecond), kubeconfigs["admin"])

	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer cancel()
	select {
	case <-ctx.Done():
		fmt.Println("kube-harness: stopping")
		_ = os.Remove(file("ready.json"))
		return nil
	case role := <-exited:
		_ = os.Remove(file("ready.json"))
		return fmt.Errorf("%s exited unexpectedly; see %s", role, file(role+".log"))
	}
}
