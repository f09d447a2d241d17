/*
 * Publicly reported missile flights used to check the model: given a launch
 * point, azimuth, ground range and apogee, the model must reproduce the
 * reported flight time. Ranges, apogees and times are the figures announced
 * at the time; launch points are the reported launch areas to about 0.1
 * degree, and azimuths point at the reported impact areas (computed on the
 * WGS-84 ellipsoid). Flight time barely depends on the azimuth.
 */
#include "mwds/ballistic.h"

static const mwds_published_flight FLIGHTS[] = {
    {"2017-07-28", "Hwasong-14, lofted", "icbm-liquid-2", 40.61, 126.43, 76.3, 998.0, 3725.0,
     47 * 60 + 12,
     "launch near Mupyong-ni; impact in Japan's EEZ west of Hokkaido; apogee, range and "
     "flight time as announced (47 min 12 s)"},
    {"2017-11-29", "Hwasong-15, lofted", "icbm-liquid-2", 39.22, 125.87, 76.4, 950.0, 4475.0,
     53 * 60,
     "launch near Pyongsong; impact in Japan's EEZ west of Aomori; apogee, range and flight "
     "time as announced (53 min)"},
    {"2022-10-04", "Hwasong-12 class over northern Japan", "irbm", 40.61, 126.43, 84.2, 4600.0,
     970.0, 22 * 60,
     "launch near Mupyong-ri; overflight of Aomori; impact in the Pacific about 3,200 km east "
     "of Japan; about 4,600 km, apogee about 970 km, about 22 min, as announced"},
};

const mwds_published_flight *mwds_published_flights(size_t *n)
{
    if (n != NULL)
        *n = sizeof FLIGHTS / sizeof FLIGHTS[0];
    return FLIGHTS;
}
