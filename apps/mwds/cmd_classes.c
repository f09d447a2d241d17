/*
 * mwds classes: the missile catalogue, with the maximum range each class
 * reaches in the model (full burn, best kick) from a reference launch point.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "mwds/ballistic.h"

static const char CLASSES_HELP[] =
    "usage: mwds classes [--markdown] [--launch LAT,LON]\n"
    "\n"
    "Lists the missile classes: stages, masses, payload, re-entry ballistic coefficient\n"
    "and the maximum range the model reaches northwards and eastwards from the launch\n"
    "point (default 40,127), and what each class's figures are based on.\n";

static double launch_mass(const mwds_missile_class *c)
{
    double m = c->payload_kg;
    for (int k = 0; k < c->n_stages; k++)
        m += c->stage[k].mass_kg;
    return m;
}

int cmd_classes(int argc, char **argv)
{
    const char *cmd = "classes";
    cli_flag flags[] = {
        {"--markdown", 0, NULL}, {"--launch", 1, NULL}, {"--help", 0, NULL}, {NULL, 0, NULL}};
    int rc = cli_start(cmd, argc, argv, flags, CLASSES_HELP);
    if (rc != CLI_CONTINUE)
        return rc;
    mwds_lla site = {40.0 * MWDS_DEG2RAD, 127.0 * MWDS_DEG2RAD, 0.0};
    const char *v = cli_get(flags, "--launch");
    if (v != NULL && (rc = cli_latlon(cmd, "--launch", v, &site)) != CLI_EXIT_OK)
        return rc;
    int md = cli_get(flags, "--markdown") != NULL;
    size_t n;
    const mwds_missile_class *cat = mwds_catalogue(&n);
    if (md) {
        printf("| class | kind | stages (mass t / propellant t / burn s / Isp sl-vac s) | "
               "launch mass t | payload kg | RV beta kg/m^2 | max range N / E km | basis |\n");
        printf("|---|---|---|---|---|---|---|---|\n");
    } else {
        printf("%-14s %-5s %7s %8s %10s %14s  %s\n", "class", "kind", "stages", "mass t",
               "payload kg", "max range N/E", "label");
    }
    for (size_t i = 0; i < n; i++) {
        const mwds_missile_class *c = &cat[i];
        double r_north, r_east;
        mwds_err e = mwds_ballistic_max_range(c, site, 0.0, 0, &r_north);
        if (e == MWDS_OK)
            e = mwds_ballistic_max_range(c, site, 0.5 * MWDS_PI, 0, &r_east);
        if (e != MWDS_OK) {
            fprintf(stderr, "mwds classes: %s: %s\n", c->name, mwds_strerror(e));
            return CLI_EXIT_FAIL;
        }
        if (md) {
            printf("| `%s` | %s | ", c->name, mwds_class_kind_name(c->kind));
            for (int k = 0; k < c->n_stages; k++)
                printf("%s%.1f / %.1f / %.0f / %.0f-%.0f", k ? "; " : "", c->stage[k].mass_kg / 1e3,
                       c->stage[k].prop_kg / 1e3, c->stage[k].burn_s, c->stage[k].isp_sl_s,
                       c->stage[k].isp_vac_s);
            printf(" | %.1f | %.0f | %.0f | %.0f / %.0f | %s |\n", launch_mass(c) / 1e3,
                   c->payload_kg, c->rv_beta_kg_m2, r_north / 1e3, r_east / 1e3, c->basis);
        } else {
            printf("%-14s %-5s %7d %8.1f %10.0f %6.0f/%-7.0f  %s\n", c->name,
                   mwds_class_kind_name(c->kind), c->n_stages, launch_mass(c) / 1e3, c->payload_kg,
                   r_north / 1e3, r_east / 1e3, c->label);
        }
    }
    return CLI_EXIT_OK;
}
