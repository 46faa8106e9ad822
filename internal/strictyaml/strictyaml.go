// Package strictyaml reads the operators' YAML files (sites, people,
// detector cues) one way: a key the target does not have is an error, not
// silently ignored, since a misspelt setting would otherwise do nothing.
package strictyaml

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"gopkg.in/yaml.v3"
)

// ReadFile decodes the YAML (or JSON) file at path into v, over what v
// already holds: keys the file leaves out keep their values. Unknown keys
// are errors; an empty file changes nothing. Errors name the file.
func ReadFile(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return Decode(path, data, v)
}

// Decode is ReadFile on data read from name.
func Decode(name string, data []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
