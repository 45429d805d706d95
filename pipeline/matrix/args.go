package matrix

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// reservedFlags are the server flags that llmbench sets itself, with the
// reason a matrix may not set them. A second value would override llmbench's:
// a moved port or host leaves the readiness probe waiting until the startup
// timeout, and another model or served name makes every request fail.
// vLLM's positional model cannot be distinguished from a flag's value, so it is
// not checked.
var reservedFlags = map[string]string{
	"--port":              "the container's port is fixed per framework",
	"--host":              "the server listens on every interface of its container",
	"--model":             "the model comes from the models section",
	"--model-path":        "the model comes from the models section",
	"--served-model-name": "requests name the model by its id",
}

// serverArgs reads extra server arguments, rejecting the flags in
// reservedFlags in both the "--flag value" and the "--flag=value" form.
func (d *decoder) serverArgs(n *yaml.Node, field string) ([]string, error) {
	args, err := d.strList(n, field)
	if err != nil {
		return nil, err
	}
	items := resolve(n).Content
	for i, arg := range args {
		flag, _, hasValue := strings.Cut(arg, "=")
		name := flagName(flag)
		reason, reserved := reservedFlags[name]
		if !reserved {
			continue
		}
		at := resolve(items[i])
		if hasValue {
			return nil, d.errorf(at, index(field, i), "%q: %s is set by llmbench (%s); remove it", arg, name, reason)
		}
		return nil, d.errorf(at, index(field, i), "%q is set by llmbench (%s); remove it", arg, reason)
	}
	return args, nil
}

// flagName returns a long flag's name as the servers match it: vLLM's
// argument parser reads "_" in a flag name as "-", so "--served_model_name"
// is "--served-model-name". Text that is not a long flag is returned as is.
func flagName(s string) string {
	rest, ok := strings.CutPrefix(s, "--")
	if !ok {
		return s
	}
	return "--" + strings.ReplaceAll(rest, "_", "-")
}
