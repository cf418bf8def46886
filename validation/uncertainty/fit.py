"""Fit the per-class uncertainty statistics of issue 13 and check them on held-out data.

Writes, next to this file:
- src/quality/class_stats.csv (embedded by the Rust core): per product and Moore et al. (2009) optical water type: N, N_eff,
  bias, RMSD and centred SD of log10(product / in situ), with the provenance
  (data and their sha256, split, seed, date, script, library version) in '#' lines;
- calibration.json: held-out coverage of +-1 and +-2 sigma, overall and per water
  type, per OC5 applicability class, and the Rrs-propagation figures;
- reliability.png: the reliability diagram (held-out).

Data (copied in the repo): NASA NOMAD v2 (Werdell & Bailey 2005) as SeaWiFS bands
(411->412, 489->490, 670 or else 665 as red; no band shift, as validation/nomad.py),
in situ chl (HPLC, else fluorometric) and Kd(489) (nomad_v2_kd489.csv, taken from
the original NOMAD file; KD2 evaluated against Kd(489)); the CoastColour Round
Robin calibration half (Nechad et al. 2015) as MERIS bands (Rrs = rho_w / pi), chl
and TSM. NOMAD was used to fit OCx and KD2 and to define the Moore classes, and the
CoastColour half calibrated spm_gohin's mineral factor: the held-out figures are
therefore held out from *this* fit, not independent of the algorithms.

Split (seeded, SEED): NOMAD by cruise (all stations of a cruise on one side), a
fraction HOLDOUT of cruises held out; CoastColour by row (its 168 rows come from 5
sites only, so a site split is impossible; rows at one site are correlated, so its
held-out figures are optimistic).

Run: python validation/uncertainty/fit.py   (a few seconds once the open OC5 tables of the
installed oceancolour are cached; the first build of a table takes about 30 s)
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


sys.path.insert(0, str(HERE))
from uncertainty_modules import R  # noqa: E402
from moore2009 import MOORE2009_BANDS, MOORE2009_MEANS  # noqa: E402
from nomad import DATA as NOMAD_CSV  # noqa: E402
from nomad import insitu_chl, nomad_stations  # noqa: E402
from oc5 import CCRR, ccrr_rows  # noqa: E402

sys.path.insert(0, str(HERE.parent / "turbid"))
from evaluate import ccrr_rrs  # noqa: E402  (the half's Rrs with 709 nm: spm_gohin's NIR branch)

SEED = 13
HOLDOUT = 1 / 3
#: Classes with fewer effective stations than this in the fit are pooled with their
#: nearest class (mean spectra, log10 distance) until they reach it. A choice of this
#: library (about 10% relative precision on an RMSD needs N ~ 50; 25 gives ~14%).
N_MIN = 25
KD_CSV = HERE / "nomad_v2_kd489.csv"
#: The class statistics the Rust core embeds (include_str! in src/quality/stats.rs).
CLASS_STATS = HERE.parents[1] / "src" / "quality" / "class_stats.csv"
#: Held-out groups: coverage is reported from N_INDICATIVE stations and called assessed
#: from N_ASSESS (binomial standard error of a 68% fraction: 10 points at 20, 6.6 at 50).
N_INDICATIVE, N_ASSESS = 20, 50

#: KD2 coefficients (NASA Kd ATBD, oceancolor.gsfc.nasa.gov/resources/atbd/kd; algorithms.md
#: s4.5), for the analytic Jacobian. KD2S: SeaWiFS 490/555.
KD2S = (-0.8515, -1.8263, 1.8714, -2.4414, -1.0690)
KD2E = (-0.8641, -1.6549, 2.0112, -2.5174, -1.1035)
#: Nechad et al. 2010 C at 665 and 670 nm (ACOLITE SPM_N2010_Published.txt; algorithms.md s4.3).
NECHAD_C = {665: 0.1728, 670: 0.1747}
#: NASA conv_rrs_to_555 row for 560 nm (ocssw convert_band.c; algorithms.md s1.5).
CONV_560 = (0.001148, 1.023, -0.103624, 0.979, -0.000121)
#: Relative Rrs uncertainty used for the propagation figures (a user-given value; 5% is
#: the usual ocean-colour radiometric goal, e.g. IOCCG Report 13 / GCOS).
EPS_RRS = 0.05

PRODUCTS = ("chl_ocx", "chl_oci", "chl_oc5", "chl_oc5ci", "spm_gohin", "spm_nechad", "kd490")
#: Earlier algorithms kept selectable by name get their own rows (`<product>@<variant>`,
#: read by the Rust core when that variant is chosen): one algorithm's errors are not another's.
VARIANTS = {"chl_oc5@open-oc5-c1-1": ("chl_oc5", {"recipe": "open-oc5-c1-1"}),
            "chl_oc5ci@open-oc5-c1-1": ("chl_oc5ci", {"recipe": "open-oc5-c1-1"}),
            "spm_gohin@forward-model": ("spm_gohin", {"algorithm": "forward-model"})}


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def nomad_set(oc):
    st = nomad_stations()
    red = np.where(np.isfinite(st["Rrs_670"]), st["Rrs_670"], st["Rrs_665"])
    rrs = {412: st["Rrs_411"], 443: st["Rrs_443"], 490: st["Rrs_489"], 510: st["Rrs_510"], 555: st["Rrs_555"],
           670: red}
    kd = np.full(len(red), np.nan)
    with open(KD_CSV, newline="") as f:
        for r in csv.DictReader(f):
            kd[int(r["row"])] = float(r["kd489"])
    ok = np.all([np.isfinite(v) for v in rrs.values()], axis=0)
    truth_chl = insitu_chl(st)
    keep = ok & (np.isfinite(truth_chl) | np.isfinite(kd))
    rrs = {b: v[keep] for b, v in rrs.items()}
    out = {"rrs": rrs, "sensor": "seawifs", "chl": truth_chl[keep], "kd": kd[keep], "tsm": np.full(keep.sum(), np.nan),
           "group": st["cruise"][keep], "owt_rrs": np.stack([rrs[b] for b in MOORE2009_BANDS], axis=-1)}
    # OC5 applicability tests need 560 nm: band-shift 555 -> 560 (Melin & Sclep 2015).
    out["rrs560"] = oc.fusion.band_shift({float(b): v for b, v in rrs.items()}, [560.0])[560.0].astype(float)
    out["source"] = np.array(["NOMAD"] * keep.sum())
    return out


def ccrr_set(oc):
    cc = ccrr_rows()
    rrs = ccrr_rrs(cc)
    ok = np.all([np.isfinite(rrs[b]) for b in (412, 443, 490, 510, 560, 665)], axis=0)
    rrs = {b: v[ok] for b, v in rrs.items()}
    # Band centres, not nominal names (MERIS 412.5, 442.5 nm): what the Rust port's
    # water-type recipe passes to the band shift.
    centre = {b["nominal"]: b["centre_nm"] for b in oc.sensor_info("meris")["bands"]}
    shifted = oc.fusion.band_shift({centre[b]: rrs[b] for b in (412, 443, 490, 510, 560, 665)}, [555.0, 670.0])
    owt = {412: rrs[412], 443: rrs[443], 490: rrs[490], 510: rrs[510], 555: shifted[555.0].astype(float),
           670: shifted[670.0].astype(float)}
    n = ok.sum()
    return {"rrs": rrs, "sensor": "meris", "chl": cc["chl"][ok], "kd": np.full(n, np.nan), "tsm": cc["tsm"][ok],
            "group": np.array([f"ccrr-{i}" for i in range(n)]), "rrs560": rrs[560],
            "owt_rrs": np.stack([owt[b] for b in MOORE2009_BANDS], axis=-1), "source": np.array(["CCRR"] * n)}


def products(oc, s):
    r, sen = s["rrs"], s["sensor"]
    p = {
        "chl_ocx": oc.chl_ocx(r, sen),
        "chl_oci": oc.chl_oci(r, sen),
        "chl_oc5": oc.chl_oc5(r, sen),
        "chl_oc5ci": oc.chl_oc5ci(r, sen),
        "spm_gohin": oc.spm_gohin(r, sen),
        "spm_nechad": oc.spm_nechad(r, sen),
        "kd490": oc.kd490(r, sen),
    }
    for key, (name, kw) in VARIANTS.items():
        p[key] = getattr(oc, name)(r, sen, **kw)
    return {k: np.asarray(v, dtype=float) for k, v in p.items()}


TRUTH = {"chl_ocx": "chl", "chl_oci": "chl", "chl_oc5": "chl", "chl_oc5ci": "chl", "spm_gohin": "tsm",
         "spm_nechad": "tsm", "kd490": "kd"}
TRUTH.update({key: TRUTH[name] for key, (name, _) in VARIANTS.items()})


def split(groups, seed=SEED, frac=HOLDOUT):
    """True for held-out rows: a seeded random fraction of the distinct groups."""
    uniq = np.unique(groups)
    rng = np.random.default_rng(seed)
    test = set(rng.choice(uniq, size=int(round(frac * len(uniq))), replace=False))
    return np.array([g in test for g in groups])


def weighted_stats(d, w):
    sw = w.sum()
    if sw <= 0:
        return {"n_eff": 0.0, "bias": np.nan, "rmsd": np.nan, "sd": np.nan}
    bias = float((w * d).sum() / sw)
    rmsd = float(np.sqrt((w * d * d).sum() / sw))
    return {"n_eff": float(sw * sw / (w * w).sum()), "bias": bias, "rmsd": rmsd,
            "sd": float(np.sqrt(max(rmsd * rmsd - bias * bias, 0.0)))}


def class_distance():
    lm = np.log10(MOORE2009_MEANS)
    return np.sqrt(((lm[:, None, :] - lm[None, :, :]) ** 2).sum(-1))


def fit_product(d, w):
    """Membership-weighted statistics per class, small classes pooled with the nearest."""
    k = w.shape[1]
    groups = [{i} for i in range(k)]
    dist = class_distance()

    def stats_of(g):
        return weighted_stats(d, w[:, sorted(g)].sum(axis=1))

    while True:
        small = [i for i in range(k) if stats_of(groups[i])["n_eff"] < N_MIN]
        if not small or all(len(g) == k for g in groups):
            break
        i = min(small, key=lambda j: stats_of(groups[j])["n_eff"])
        others = [j for j in range(k) if j not in groups[i]]
        j = min(others, key=lambda j: min(dist[a, j] for a in groups[i]))
        merged = groups[i] | groups[j]
        for m in merged:
            groups[m] = merged
    dom = np.argmax(w, axis=1)
    rows = []
    for i in range(k):
        s = stats_of(groups[i])
        rows.append({"class": i + 1, "n": int((dom == i).sum()), **s,
                     "stats_from": "+".join(str(m + 1) for m in sorted(groups[i]))})
    return rows


def coverage(d, sigma, bias, mult, corrected):
    dd = d - bias if corrected else d
    return float(np.mean(np.abs(dd) <= mult * sigma))


def compute(oc, verbose=False):
    """Fit on the training part and assess on the held-out part: (rows, calib, resid)."""

    sets = [nomad_set(oc), ccrr_set(oc)]
    for s in sets:
        s["p"] = products(oc, s)
        s["f"] = R.owt_memberships(s["owt_rrs"])
        s["w"] = R.owt_weights(s["f"])
        for v in ("A", "B"):
            s[f"oc5cls_{v}"] = R.oc5_class(s["rrs"][412], s["rrs"][443], s["rrs"][490], s["rrs560"], s["p"]["chl_oc5"], v)
        s["test"] = split(s["group"])

    def cat(key, sub=None):
        return np.concatenate([s[key][sub] if sub else s[key] for s in sets])

    w_all = np.concatenate([s["w"] for s in sets])
    f_all = np.concatenate([s["f"] for s in sets])
    test = cat("test")
    src = cat("source")
    cls_b = cat("oc5cls_B")
    cls_a = cat("oc5cls_A")
    dom = R.owt_dominant(f_all)

    rows, calib, resid = [], {}, {}
    for prod in PRODUCTS + tuple(VARIANTS):
        est = np.concatenate([s["p"][prod] for s in sets])
        truth = np.concatenate([s[TRUTH[prod]] for s in sets])
        with np.errstate(divide="ignore", invalid="ignore"):
            d = np.log10(est) - np.log10(truth)
        valid = np.isfinite(d) & np.all(np.isfinite(w_all), axis=1)
        fit_rows = fit_product(d[valid & ~test], w_all[valid & ~test])
        for r in fit_rows:
            rows.append({"product": prod, "scheme": "owt_moore2009", **r})
        stats = {prod: {"scheme": "owt_moore2009",
                        "classes": {r["class"]: {k: r[k] for k in ("n", "n_eff", "bias", "rmsd", "sd", "stats_from")}
                                    for r in fit_rows}}}
        held = np.isfinite(d) & test
        sigma, bias = R.uncertainty(prod, stats, weights=w_all[held])
        sd, _ = R.uncertainty(prod, stats, weights=w_all[held], bias_corrected=True)
        dh = d[held]
        c = {"n_fit": int((valid & ~test).sum()), "n_test": int(held.sum()),
             "n_test_unclassified": int((~np.all(np.isfinite(w_all[held]), axis=1)).sum()),
             "by_source_test": {k: int((src[held] == k).sum()) for k in ("NOMAD", "CCRR")},
             "overall": {"in_1sigma": coverage(dh, sigma, bias, 1, False), "in_2sigma": coverage(dh, sigma, bias, 2, False),
                         "in_1sigma_bias_corrected": coverage(dh, sd, bias, 1, True),
                         "in_2sigma_bias_corrected": coverage(dh, sd, bias, 2, True),
                         "median_sigma_dex": float(np.median(sigma)),
                         "test_bias_dex": float(dh.mean()), "test_rmsd_dex": float(np.sqrt((dh * dh).mean()))}}
        per = {}
        for k in range(0, 9):
            m = dom[held] == k
            if m.sum() >= N_INDICATIVE:
                per[str(k)] = {"n": int(m.sum()), "assessed": bool(m.sum() >= N_ASSESS),
                               "in_1sigma": coverage(dh[m], sigma[m], bias[m], 1, False),
                               "in_2sigma": coverage(dh[m], sigma[m], bias[m], 2, False)}
            elif m.sum():
                per[str(k)] = {"n": int(m.sum()), "note": f"fewer than {N_INDICATIVE} held-out stations"}
        c["by_owt_dominant"] = per  # "0" = unclassified
        c["by_source"] = {}
        for k in ("NOMAD", "CCRR"):
            m = src[held] == k
            if m.sum() >= N_INDICATIVE:
                c["by_source"][k] = {"n": int(m.sum()), "in_1sigma": coverage(dh[m], sigma[m], bias[m], 1, False),
                                     "in_2sigma": coverage(dh[m], sigma[m], bias[m], 2, False),
                                     "bias_dex": float(dh[m].mean()), "rmsd_dex": float(np.sqrt((dh[m] ** 2).mean()))}
        for v, cl in (("B", cls_b), ("A", cls_a)):
            byc = {}
            for k in R.OC5_CLASS_FLAG_VALUES:
                m = cl[held] == k
                if m.sum():
                    byc[R.OC5_CLASS_FLAG_MEANINGS[k - 1]] = {
                        "n": int(m.sum()), "bias_dex": float(dh[m].mean()), "rmsd_dex": float(np.sqrt((dh[m] ** 2).mean())),
                        **({"in_1sigma": coverage(dh[m], sigma[m], bias[m], 1, False),
                            "in_2sigma": coverage(dh[m], sigma[m], bias[m], 2, False)} if m.sum() >= N_INDICATIVE else {})}
            c[f"by_oc5_class_{v}"] = byc
        calib[prod] = c
        resid[prod] = (dh, sigma, bias)
        if verbose:
            print(f"{prod:<11} fit N={c['n_fit']:>5} test N={c['n_test']:>5}  in 1 sigma {100 * c['overall']['in_1sigma']:5.1f}%"
                  f"  in 2 sigma {100 * c['overall']['in_2sigma']:5.1f}%  (bias-corrected"
                  f" {100 * c['overall']['in_1sigma_bias_corrected']:5.1f}% / {100 * c['overall']['in_2sigma_bias_corrected']:5.1f}%)")

    calib["rrs_propagation"] = propagation(oc, sets)
    calib["oc5_class_counts"] = {v: {R.OC5_CLASS_FLAG_MEANINGS[k - 1]: {src_: int(((cl == k) & (src == src_)).sum())
                                                                       for src_ in ("NOMAD", "CCRR")}
                                     for k in R.OC5_CLASS_FLAG_VALUES} for v, cl in (("A", cls_a), ("B", cls_b))}
    calib["owt_dominant_counts"] = {src_: np.bincount(dom[src == src_], minlength=9).tolist() for src_ in ("NOMAD", "CCRR")}
    return rows, calib, resid


def main() -> None:
    import oceancolour as oc

    rows, calib, resid = compute(oc, verbose=True)
    write_stats(rows, oc)
    (HERE / "calibration.json").write_text(json.dumps(calib, indent=1) + "\n")
    reliability(resid)


def propagation(oc, sets):
    """Median Rrs term (dex) for a relative Rrs uncertainty EPS_RRS, independent bands
    (rho = 0) and fully correlated (rho = 1), analytic vs finite-difference Jacobian."""
    out = {}
    for s in sets:
        r, sen = s["rrs"], s["sensor"]
        sig = {b: EPS_RRS * np.abs(v) for b, v in r.items()}
        info = oc.sensor_info(sen)["band_roles"]
        ocx = next(c for c in oc.ocx_coefficient_sets(sen) if c["default"])
        ci = next(c for c in oc.ci_coefficient_sets() if c["name"] == "hu2019")
        ci12 = next(c for c in oc.ci_coefficient_sets() if c["name"] == "hu2012")
        g, red = info["green"], info["red"]
        conv = None if g == 555 else CONV_560
        j = {"chl_ocx": R.jac_ocx(r, ocx["blue_bands"], ocx["green_band"], ocx["a"])}
        chl_ci, _ = R.ci_value(r, 443, g, red, ci["a"], conv)
        j["chl_oci"] = R.jac_blend(chl_ci, s["p"]["chl_ocx"], R.jac_ci(r, 443, g, red, ci["a"], conv), j["chl_ocx"],
                                   *ci["thresholds"])
        t = oc.Oc5Table.open_table(sen)
        f0 = t.f0
        _, j5 = R.jac_oc5_table(r, t.values, t.axes, f0[info["violet"]], f0[g], info["violet"], info["ratio_blues"], g)
        j["chl_oc5"] = j5
        chl_ci12, _ = R.ci_value(r, 443, g, red, ci12["a"], conv)
        j["chl_oc5ci"] = R.jac_blend(chl_ci12, s["p"]["chl_oc5"], R.jac_ci(r, 443, g, red, ci12["a"], conv), j5, 0.15, 0.20)
        j["spm_nechad"] = R.jac_nechad(r, red, NECHAD_C[red])
        j["kd490"] = R.jac_kd2(r, 490, g, KD2S if sen == "seawifs" else KD2E)
        j["spm_gohin"] = R.jac_fd(lambda x: oc.spm_gohin(x, sen), r, list(r))
        res = {}
        for prod, jac in j.items():
            fd = R.jac_fd(lambda x, p=prod: getattr(oc, p)(x, sen), r, list(jac))
            dev = []
            for b in jac:
                a_, f_ = np.asarray(jac[b], dtype=float), np.asarray(fd[b], dtype=float)
                ok = np.isfinite(a_) & np.isfinite(f_) & (np.abs(f_) > 1e-3 * np.nanmax(np.abs(f_)))
                if ok.any():
                    dev.append(float(np.median(np.abs(a_[ok] / f_[ok] - 1))))
            if prod == "spm_gohin":
                dev = []  # finite differences only: nothing analytic to compare
            u0 = R.rrs_term(jac, sig, 0.0)
            u1 = R.rrs_term(jac, sig, 1.0)
            fin = np.isfinite(s["p"][prod]) & (u0 > 0)
            res[prod] = {"median_u_rrs_dex_rho0": float(np.median(u0[fin])) if fin.any() else None,
                         "p90_u_rrs_dex_rho0": float(np.percentile(u0[fin], 90)) if fin.any() else None,
                         "median_u_rrs_dex_rho1": float(np.median(u1[fin])) if fin.any() else None,
                         "analytic_vs_fd_median_rel_dev": max(dev) if dev else "no analytic form (finite differences)"}
        out[s["source"][0]] = res
    return {"eps_rrs": EPS_RRS, "by_set": out}


def write_stats(rows, oc):
    try:
        commit = subprocess.run(["git", "-C", str(HERE), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    except OSError:
        commit = "unknown"
    hdr = [
        "# oceancolour per-class uncertainty statistics (issue 13). FITTED BY THIS LIBRARY, not published values.",
        "# d = log10(product) - log10(in situ); per Moore et al. 2009 water type k, membership-weighted (normalised",
        "# memberships w_k as weights): bias_dex = sum w d / sum w, rmsd_dex = sqrt(sum w d^2 / sum w),",
        "# sd_dex = sqrt(rmsd^2 - bias^2), n_eff = (sum w)^2 / sum w^2, n = stations whose dominant type is k.",
        f"# stats_from: classes pooled to estimate this class (pooled with the nearest mean spectrum while n_eff < {N_MIN}).",
        f"# data: NOMAD v2 {NOMAD_CSV.name} sha256 {sha256(NOMAD_CSV)}; Kd(489) {KD_CSV.name} sha256 {sha256(KD_CSV)};",
        f"#   CoastColour RR calibration half {CCRR.name} sha256 {sha256(CCRR)}.",
        f"# split: NOMAD by cruise, CoastColour by row; {HOLDOUT:.3f} of groups held out (numpy default_rng({SEED})); fitted on the rest.",
        "# products: oceancolour defaults (OCx/OCI/KD2 default sets, hu2019 CI in OCI, open OC5 tables of recipe",
        "#   open-oc5-c1-2 (this library's, not Ifremer's), OC5CI hu2012 0.15/0.20, Nechad 2010 at the red band,",
        "#   spm_gohin nechad-switching); rows <product>@<variant>: the earlier algorithms kept selectable",
        "#   (OC5 recipe open-oc5-c1-1, spm_gohin forward-model with its default mineral factor);",
        "#   NOMAD as SeaWiFS bands, CoastColour as MERIS bands; one table for both sensors.",
        f"# fitted: {datetime.date.today().isoformat()} by validation/uncertainty/fit.py (git {commit}), oceancolour {oc.__version__}.",
    ]
    cols = ["product", "scheme", "class", "n", "n_eff", "bias_dex", "rmsd_dex", "sd_dex", "stats_from"]
    with open(CLASS_STATS, "w", newline="") as f:
        f.write("\n".join(hdr) + "\n")
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(cols)
        for r in rows:
            wr.writerow([r["product"], r["scheme"], r["class"], r["n"], f"{r['n_eff']:.1f}", f"{r['bias']:.4f}",
                         f"{r['rmsd']:.4f}", f"{r['sd']:.4f}", r["stats_from"]])


def reliability(resid):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from scipy.stats import norm

    nominal = np.linspace(0.05, 0.99, 40)
    fig, ax = plt.subplots(1, 2, figsize=(11, 5))
    for prod, (d, s, b) in resid.items():
        obs = [np.mean(np.abs(d) <= norm.ppf(0.5 + p / 2) * s) for p in nominal]
        obs_c = [np.mean(np.abs(d - b) <= norm.ppf(0.5 + p / 2) * np.sqrt(np.maximum(s * s - b * b, 1e-12))) for p in nominal]
        ax[0].plot(nominal, obs, label=f"{prod} (N={len(d)})")
        ax[1].plot(nominal, obs_c, label=prod)
    for a, t in zip(ax, ("as produced: interval +-z sigma, sigma = class RMSD",
                         "bias-corrected: interval bias +-z sd (centred)")):
        a.plot([0, 1], [0, 1], "k--", lw=1)
        a.axvspan(0.6827 - 0.005, 0.6827 + 0.005, color="0.85")
        a.axvspan(0.9545 - 0.005, 0.9545 + 0.005, color="0.85")
        a.errorbar([0.6827, 0.9545], [0.6827, 0.9545], yerr=[[0.08, 0.05], [0.08, 0.05]], fmt="none", ecolor="r",
                   capsize=4, label="targets (68+-8, 95+-5)" if a is ax[0] else None)
        a.set_xlabel("nominal coverage (Gaussian)")
        a.set_ylabel("held-out fraction of in situ values inside")
        a.set_title(t, fontsize=9)
        a.set_xlim(0, 1)
        a.set_ylim(0, 1)
        a.grid(alpha=0.3)
    ax[0].legend(fontsize=7, loc="lower right")
    fig.suptitle("oceancolour uncertainty (issue 13), held-out NOMAD cruises + CoastColour rows", fontsize=10)
    fig.tight_layout()
    fig.savefig(HERE / "reliability.png", dpi=110)


if __name__ == "__main__":
    main()
