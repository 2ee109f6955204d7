package kv

import (
	"errors"
	"net"
)

func netSplit(hostport string) (string, string, error) {
	host, port, err := net.SplitHostPort(hostport)
	if err == nil && (host == "" || port == "") {
		err = errors.New("empty host or port")
	}
	return host, port, err
}
