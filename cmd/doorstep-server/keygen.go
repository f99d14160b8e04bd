package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/doorstep-survey/doorstep/server/seal"
)

func keygenCmd(o *opts, stdout io.Writer) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "keygen --out FILE",
		Short: "Make the server's data key: a new file, readable by its owner alone, outside the data folder",
		Long: "Make the server's data key (32 random bytes) in a new file with mode 0600. The server seals\n" +
			"every name, ID number and answer it keeps under this key; give it with --data-key-file,\n" +
			"data_key_file: in " + ConfigFile + ", or " + seal.EnvKey + ". Keep the file outside the data\n" +
			"folder and keep a copy apart from the data's backups: without the key, neither the data\n" +
			"nor its backups can be read. An existing file is never overwritten.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return errors.New("say where: --out /etc/doorstep/server.key")
			}
			if seal.Inside(out, o.data) {
				return fmt.Errorf("%s is inside the data folder %s: the server refuses a key kept there (a copy of the folder would carry its own key); write it elsewhere", out, o.data)
			}
			k, err := seal.WriteKeyFile(out)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "wrote a new data key to %s (check %s)\n"+
				"give it to the server with --data-key-file %s (or data_key_file: in %s);\n"+
				"keep a copy apart from the data's backups: without it they cannot be read.\n", out, seal.New(k).CheckID(), out, ConfigFile)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "the key file to make")
	return cmd
}
