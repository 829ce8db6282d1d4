/* SPDX-License-Identifier: GPL-2.0 */
/* The faultline commands, one per cmd_*.c; main.c dispatches to them. */
#ifndef FL_COMMANDS_H
#define FL_COMMANDS_H

int fl_cmd_run(int argc, char **argv);
int fl_cmd_list(int argc, char **argv);
int fl_cmd_validate(int argc, char **argv);
int fl_cmd_report(int argc, char **argv);
int fl_cmd_kernel(int argc, char **argv);
int fl_cmd_compare(int argc, char **argv);
int fl_cmd_nightly(int argc, char **argv);
int fl_cmd_export(int argc, char **argv);
int fl_cmd_lava(int argc, char **argv);
int fl_cmd_hunt(int argc, char **argv);
int fl_cmd_doctor(int argc, char **argv);

#endif
