/*
 * Generic missile classes. These are plausible, openly documented parameter
 * sets for simulation and exercises, not estimates of any real missile: each
 * stands for a class (range band and propulsion), with its figures drawn from
 * the ranges given in open literature for missiles of that class. The range
 * each class reaches in this model is listed in docs/ballistics.md (from
 * mwds classes) and checked by tests against its class band (SRBM < 1,000
 * km, MRBM 1,000-3,000 km, IRBM 3,000-5,500 km, ICBM > 5,500 km).
 */
#include <strings.h>

#include "mwds/ballistic.h"

static const mwds_missile_class CATALOGUE[] = {
    {
        .name = "srbm",
        .label = "SRBM, single-stage liquid",
        .kind = MWDS_CLASS_SRBM,
        .n_stages = 1,
        .stage = {{.mass_kg = 5600, .prop_kg = 4300, .burn_s = 65, .isp_sl_s = 230,
                   .isp_vac_s = 255, .diameter_m = 0.88}},
        .payload_kg = 800,
        .rv_beta_kg_m2 = 4000,
        .vertical_s = 4,
        .kick_s = 6,
        .basis = "Scud-B/C family: 0.88 m body, 5.9-6.4 t at launch, 3.8-4.5 t of "
                 "propellant, 60-70 s burn, Isp about 230 s at sea level",
    },
    {
        .name = "mrbm",
        .label = "MRBM, single-stage liquid",
        .kind = MWDS_CLASS_MRBM,
        .n_stages = 1,
        .stage = {{.mass_kg = 15000, .prop_kg = 12900, .burn_s = 110, .isp_sl_s = 235,
                   .isp_vac_s = 262, .diameter_m = 1.36}},
        .payload_kg = 800,
        .rv_beta_kg_m2 = 6000,
        .vertical_s = 5,
        .kick_s = 8,
        .basis = "Nodong family: 1.36 m body, about 16 t at launch, about 110 s burn, "
                 "scaled-up Scud engine technology",
    },
    {
        .name = "irbm",
        .label = "IRBM, liquid with a small upper stage",
        .kind = MWDS_CLASS_IRBM,
        .n_stages = 2,
        .stage = {{.mass_kg = 22000, .prop_kg = 19500, .burn_s = 125, .isp_sl_s = 270,
                   .isp_vac_s = 300, .diameter_m = 1.65},
                  {.mass_kg = 1000, .prop_kg = 700, .burn_s = 50, .isp_sl_s = 280,
                   .isp_vac_s = 310, .diameter_m = 1.65}},
        .payload_kg = 650,
        .rv_beta_kg_m2 = 7000,
        .coast_s = 2,
        .vertical_s = 6,
        .kick_s = 10,
        .basis = "Hwasong-12 class: 1.65 m body, about 24 t at launch, one high-energy "
                 "storable-propellant engine, a small post-boost stage, 650 kg payload",
    },
    {
        .name = "icbm-liquid-2",
        .label = "ICBM, two-stage liquid",
        .kind = MWDS_CLASS_ICBM,
        .n_stages = 2,
        .stage = {{.mass_kg = 52000, .prop_kg = 46000, .burn_s = 80, .isp_sl_s = 262,
                   .isp_vac_s = 292, .diameter_m = 2.4},
                  {.mass_kg = 13500, .prop_kg = 12000, .burn_s = 150, .isp_sl_s = 280,
                   .isp_vac_s = 316, .diameter_m = 2.4}},
        .payload_kg = 1000,
        .rv_beta_kg_m2 = 8000,
        .coast_s = 2,
        .vertical_s = 8,
        .kick_s = 10,
        .basis = "Hwasong-15 class: 2.4 m body, about 66 t at launch, a twin-chamber "
                 "storable-propellant first stage of about 1.5 MN (lift-off thrust to "
                 "weight 2.3), a single-engine second stage, 1 t re-entry vehicle",
    },
    {
        .name = "icbm-solid-3",
        .label = "ICBM, three-stage solid",
        .kind = MWDS_CLASS_ICBM,
        .n_stages = 3,
        .stage = {{.mass_kg = 23230, .prop_kg = 20780, .burn_s = 61, .isp_sl_s = 237,
                   .isp_vac_s = 262, .diameter_m = 1.68},
                  {.mass_kg = 7270, .prop_kg = 6240, .burn_s = 66, .isp_sl_s = 258,
                   .isp_vac_s = 287, .diameter_m = 1.33},
                  {.mass_kg = 3710, .prop_kg = 3310, .burn_s = 61, .isp_sl_s = 275,
                   .isp_vac_s = 300, .diameter_m = 1.32}},
        .payload_kg = 800,
        .rv_beta_kg_m2 = 12000,
        .coast_s = 1,
        .vertical_s = 6,
        .kick_s = 8,
        .basis = "Minuteman III-like figures as published for its three motors "
                 "(about 23 t, 7 t and 3.7 t, 61-66 s burns), a post-boost vehicle with "
                 "one re-entry vehicle",
    },
};

const mwds_missile_class *mwds_catalogue(size_t *n)
{
    if (n != NULL)
        *n = sizeof CATALOGUE / sizeof CATALOGUE[0];
    return CATALOGUE;
}

const mwds_missile_class *mwds_catalogue_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof CATALOGUE / sizeof CATALOGUE[0]; i++)
        if (strcasecmp(CATALOGUE[i].name, name) == 0)
            return &CATALOGUE[i];
    return NULL;
}

const char *mwds_class_kind_name(mwds_class_kind kind)
{
    switch (kind) {
    case MWDS_CLASS_SRBM: return "SRBM";
    case MWDS_CLASS_MRBM: return "MRBM";
    case MWDS_CLASS_IRBM: return "IRBM";
    case MWDS_CLASS_ICBM: return "ICBM";
    }
    return "?";
}
