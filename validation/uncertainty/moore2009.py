"""Moore, Campbell & Dowell (2009) optical water types: class means and covariances.

Source: T. S. Moore, J. W. Campbell, M. D. Dowell (2009), "A class-based approach to
characterizing and mapping the uncertainty of the MODIS ocean chlorophyll product",
Remote Sensing of Environment 113:2424-2430, doi:10.1016/j.rse.2009.07.016. Eight
classes clustered from the NASA NOMAD in situ Rrs at the SeaWiFS bands 412, 443,
490, 510, 555 and 670 nm; memberships by the chi-square distribution of the squared
Mahalanobis distance (Moore et al. 2001, IEEE TGRS 39:1764, eqs. 11-12).

Transcription: the numbers below were read from the public Julia package
JuliaOcean/OceanColorData.jl, `src/Classifiers.jl`, function `Moore2009()` (which
cites the paper). They are published numbers, used with citation; no code was taken.
The package stores the covariances with 8 decimals (units of sr-2); they are kept
here as integers times 1e-8, exactly as printed. The paper itself was not read by
us (paywalled): the table layout (rows = classes, columns = bands) follows that
package.

Input convention (checked, not assumed): which reflectance the classes expect
(above-water Rrs or below-water rrs) is not stated in the transcription. fit.py
tests both on NOMAD, the data set the classes were clustered from; the convention
that puts NOMAD inside the classes (highest summed membership, fewest unclassified
spectra) is `MOORE2009_INPUT` below. See docs/uncertainty.md, "Optical water types".
"""

from __future__ import annotations

import numpy as np

#: Band centres (nm) of the classification vector, SeaWiFS bands.
MOORE2009_BANDS = (412, 443, 490, 510, 555, 670)

#: Class mean reflectance (sr-1), rows = class 1..8, columns = MOORE2009_BANDS.
MOORE2009_MEANS = np.array(
    [
        [0.0234, 0.0192, 0.0129, 0.0075, 0.0031, 0.0002],
        [0.0162, 0.0141, 0.0112, 0.0073, 0.0034, 0.0002],
        [0.0107, 0.0098, 0.0092, 0.0070, 0.0039, 0.0003],
        [0.0065, 0.0064, 0.0070, 0.0064, 0.0048, 0.0006],
        [0.0033, 0.0034, 0.0042, 0.0042, 0.0043, 0.0009],
        [0.0064, 0.0074, 0.0105, 0.0116, 0.0140, 0.0041],
        [0.0121, 0.0140, 0.0192, 0.0204, 0.0231, 0.0084],
        [0.0184, 0.0230, 0.0333, 0.0359, 0.0409, 0.0137],
    ]
)

#: Class covariance matrices (sr-2), shape (8, 6, 6), as printed x 1e8.
MOORE2009_COV = 1e-8 * np.array(
    [
        [[959, 556, 138, -34, -24, -3], [556, 493, 193, 60, 23, 1], [138, 193, 282, 223, 119, 7],
         [-34, 60, 223, 232, 119, 7], [-24, 23, 119, 119, 71, 5], [-3, 1, 7, 7, 5, 1]],
        [[346, 186, -11, -60, -62, -5], [186, 228, 86, 33, -7, 3], [-11, 86, 231, 221, 145, 23],
         [-60, 33, 221, 266, 191, 34], [-62, -7, 145, 191, 175, 41], [-5, 3, 23, 34, 41, 21]],
        [[241, 144, 35, -31, -63, -6], [144, 138, 76, 15, -21, -1], [35, 76, 161, 156, 121, 16],
         [-31, 15, 156, 227, 209, 31], [-63, -21, 121, 209, 225, 37], [-6, -1, 16, 31, 37, 13]],
        [[166, 91, 34, -9, -80, -25], [91, 97, 71, 25, -41, -15], [34, 71, 118, 103, 72, 3],
         [-9, 25, 103, 137, 162, 25], [-80, -41, 72, 162, 290, 65], [-25, -15, 3, 25, 65, 50]],
        [[178, 132, 104, 81, 18, -14], [132, 127, 121, 99, 34, -10], [104, 121, 150, 142, 110, 13],
         [81, 99, 142, 158, 177, 42], [18, 34, 110, 177, 351, 131], [-14, -10, 13, 42, 131, 81]],
        [[715, 586, 409, 292, 5, -75], [586, 589, 520, 398, 27, -114], [409, 520, 634, 541, 188, -97],
         [292, 398, 541, 528, 392, 70], [5, 27, 188, 392, 995, 657], [-75, -114, -97, 70, 657, 819]],
        [[2625, 1981, 1058, 544, -654, -1122], [1981, 1745, 1314, 822, -431, -1228],
         [1058, 1314, 1629, 1226, 35, -1311], [544, 822, 1226, 1170, 742, -500],
         [-654, -431, 35, 742, 2241, 1782], [-1122, -1228, -1311, -500, 1782, 3987]],
        [[1186, 1134, 1139, 919, 395, -186], [1134, 1484, 2034, 1907, 1531, 87],
         [1139, 2034, 3467, 3546, 3555, 708], [919, 1907, 3546, 3907, 4604, 1733],
         [395, 1531, 3555, 4604, 7306, 4953], [-186, 87, 708, 1733, 4953, 6542]],
    ],
    dtype=float,
)

#: Which reflectance the classes take: "below" (rrs = Rrs / (0.52 + 1.7 Rrs), Lee et
#: al. 2002) or "above" (Rrs). Decided on NOMAD by fit.py (see the module docstring).
MOORE2009_INPUT = "below"
