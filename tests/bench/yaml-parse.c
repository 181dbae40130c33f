/*
 * yaml-parse: the floor for loading content. Reads each file named on the
 * command line and pulls every libyaml event from it, doing nothing else.
 * The load benchmark compares `pydojo check` against this on the same
 * bytes. Prints the number of events; exits 1 on a parse error.
 */
#include <stdio.h>
#include <stdlib.h>

#include <yaml.h>

int main(int argc, char **argv)
{
	unsigned long events = 0;
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f) {
			perror(argv[i]);
			return 1;
		}
		yaml_parser_t p;
		yaml_parser_initialize(&p);
		yaml_parser_set_input_file(&p, f);
		for (;;) {
			yaml_event_t ev;
			if (!yaml_parser_parse(&p, &ev)) {
				fprintf(stderr, "%s: %s\n", argv[i], p.problem ? p.problem : "parse error");
				yaml_parser_delete(&p);
				fclose(f);
				return 1;
			}
			events++;
			int end = ev.type == YAML_STREAM_END_EVENT;
			yaml_event_delete(&ev);
			if (end)
				break;
		}
		yaml_parser_delete(&p);
		fclose(f);
	}
	printf("%lu events\n", events);
	return 0;
}
