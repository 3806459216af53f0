"""Subject illustrations: the picture shows what the request is about (a phone, pasta, a ghost), not only
its colours.

`motif_for` picks one from the request's words (English and Persian), falling back to the category; versus
scenes get one per side (core/requests.py). Drawings: core/rendering/motif_art.py, flat stickers with a thick
outline in the theme's colours. Scenes stored before motifs were chosen name none: they draw their category's
family (`category_of`) with the drawings below, exactly as they were.
"""

from __future__ import annotations

import functools
import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from PIL import ImageDraw

from core.rendering import motif_art as art
from core.rendering.colors import Theme, mix

Box = tuple[int, int, int, int]
Drawing = Callable[[ImageDraw.ImageDraw, Box, Theme, random.Random], None]
PHOTO = "photo"  # a versus side that shows the creator's photo instead of a drawing
_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("gaming", ("gam", "play", "esport", "minecraft", "fortnite", "بازی")),
    ("tech", ("tech", "code", "program", "software", "ai", "computer", "phone", "gadget", "تکنولوژی", "فناوری")),
    ("food", ("food", "cook", "recipe", "kitchen", "bak", "آشپزی", "غذا")),
    ("finance", ("financ", "money", "business", "invest", "crypto", "stock", "market", "پول", "مالی", "بورس")),
    ("travel", ("travel", "trip", "tour", "vacation", "adventure", "سفر")),
    ("fitness", ("fit", "gym", "sport", "workout", "health", "ورزش")),
    ("music", ("music", "song", "sing", "guitar", "podcast", "موسیقی")),
    ("education", ("edu", "tutorial", "learn", "how", "lesson", "study", "science", "آموزش")),
    ("beauty", ("beauty", "makeup", "fashion", "style", "skin", "زیبایی", "مد")),
)


def category_of(category: str, prompt: str) -> str:
    """Map the analysis' free-form category (and prompt as a hint) onto a motif family (scenes without motifs)."""
    for text in (category.lower(), prompt.lower()):
        for family, keys in _KEYWORDS:
            if any(k in text for k in keys if len(k) > 2 or f" {k} " in f" {text} "):
                return family
    return "default"


# -- the family drawings (scenes stored before motifs were chosen draw these) ------------------------------------


def _outline(theme: Theme) -> dict[str, object]:
    return {"outline": theme.stroke, "width": 10}


def gaming(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    body = (x0 + w * 0.04, y0 + h * 0.28, x1 - w * 0.04, y1 - h * 0.22)
    d.rounded_rectangle(body, radius=int(h * 0.22), fill=t.light, **_outline(t))
    cx, cy = x0 + w * 0.28, (body[1] + body[3]) / 2
    arm = w * 0.07
    d.rectangle((cx - arm * 2, cy - arm / 1.6, cx + arm * 2, cy + arm / 1.6), fill=t.dark)
    d.rectangle((cx - arm / 1.6, cy - arm * 2, cx + arm / 1.6, cy + arm * 2), fill=t.dark)
    for i, (dx, dy) in enumerate(((0.66, -0.08), (0.78, 0.0), (0.66, 0.08), (0.54, 0.0))):
        r = w * 0.045
        px, py = x0 + w * (dx + 0.06), cy + h * dy * 1.5
        d.ellipse((px - r, py - r, px + r, py + r), fill=t.accent if i % 2 else t.accent2, outline=t.stroke, width=5)


def tech(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    x0, y0, x1, y1 = b
    w = x1 - x0
    c = (x0 + x1) / 2, (y0 + y1) / 2
    s = w * 0.26
    for k in range(-2, 3):  # circuit traces with pads
        off = k * s * 0.42
        for (ax, ay, bx, by) in ((c[0] - s, c[1] + off, x0, c[1] + off), (c[0] + s, c[1] + off, x1, c[1] + off),
                                 (c[0] + off, c[1] - s, c[0] + off, y0), (c[0] + off, c[1] + s, c[0] + off, y1)):
            d.line((ax, ay, bx, by), fill=t.accent2, width=8)
            d.ellipse((bx - 11, by - 11, bx + 11, by + 11), fill=t.accent)
    d.rounded_rectangle((c[0] - s, c[1] - s, c[0] + s, c[1] + s), radius=int(s * 0.2), fill=t.light, **_outline(t))
    d.rounded_rectangle((c[0] - s * 0.5, c[1] - s * 0.5, c[0] + s * 0.5, c[1] + s * 0.5), radius=int(s * 0.1),
                        fill=t.accent)


def food(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    x0, y0, x1, y1 = b
    w = x1 - x0
    c = (x0 + x1) / 2, (y0 + y1) / 2 + w * 0.06
    r = w * 0.36
    d.ellipse((c[0] - r, c[1] - r, c[0] + r, c[1] + r), fill=t.light, **_outline(t))
    r2 = r * 0.68
    d.ellipse((c[0] - r2, c[1] - r2, c[0] + r2, c[1] + r2), fill=t.accent, outline=t.stroke, width=6)
    for k in range(5):
        a = k * math.tau / 5 + rng.random()
        px, py = c[0] + r2 * 0.5 * math.cos(a), c[1] + r2 * 0.5 * math.sin(a)
        d.ellipse((px - 18, py - 18, px + 18, py + 18), fill=t.accent2)
    for k in (-1, 0, 1):  # steam
        sx = c[0] + k * w * 0.12
        d.arc((sx - 24, y0 - w * 0.02, sx + 24, y0 + w * 0.2), 100, 260, fill=t.light, width=9)


def finance(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    bars = 4
    bw = w / (bars * 1.6)
    for i in range(bars):
        bh = h * (0.25 + 0.18 * i + rng.uniform(-0.04, 0.04))
        bx = x0 + w * 0.08 + i * bw * 1.5
        d.rectangle((bx, y1 - bh, bx + bw, y1), fill=t.accent if i == bars - 1 else t.light, **_outline(t))
    pts = [(x0 + w * 0.05, y1 - h * 0.35), (x0 + w * 0.35, y1 - h * 0.55), (x0 + w * 0.55, y1 - h * 0.48),
           (x1 - w * 0.12, y0 + h * 0.12)]
    d.line(pts, fill=t.stroke, width=30, joint="curve")
    d.line(pts, fill=t.accent2, width=16, joint="curve")
    tip = pts[-1]
    d.polygon([(tip[0] + 34, tip[1] - 30), (tip[0] - 40, tip[1] - 6), (tip[0] + 8, tip[1] + 40)], fill=t.accent2,
              outline=t.stroke, width=6)


def travel(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    r = w * 0.2
    sx, sy = x0 + w * 0.62, y0 + h * 0.3
    d.ellipse((sx - r, sy - r, sx + r, sy + r), fill=t.accent, **_outline(t))
    d.polygon([(x0, y1), (x0 + w * 0.35, y0 + h * 0.35), (x0 + w * 0.7, y1)], fill=t.light, **_outline(t))
    d.polygon([(x0 + w * 0.35, y1), (x0 + w * 0.7, y0 + h * 0.5), (x1, y1)], fill=mix(t.light, t.accent2, 0.5),
              **_outline(t))


def fitness(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    cy = (y0 + y1) / 2
    bar = (x0 + w * 0.2, cy - h * 0.05, x1 - w * 0.2, cy + h * 0.05)
    d.rounded_rectangle(bar, radius=8, fill=t.light, **_outline(t))
    for side in (0, 1):
        for k, (wd, ht) in enumerate(((0.1, 0.5), (0.08, 0.36))):
            px = x0 + w * (0.06 + k * 0.1) if side == 0 else x1 - w * (0.16 + k * 0.08)
            d.rounded_rectangle((px, cy - h * ht / 2, px + w * wd, cy + h * ht / 2), radius=10,
                                fill=t.accent if k == 0 else t.accent2, **_outline(t))


def music(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    for i in range(7):  # equalizer
        bh = h * rng.uniform(0.2, 0.6)
        bx = x0 + i * w / 7
        inset = min(6, w / 28)  # 6 px at the sizes layouts draw (so older scenes look the same), less when small
        d.rounded_rectangle((bx + inset, y1 - bh, bx + w / 7 - inset, y1), radius=min(8, w / 28),
                            fill=t.accent2 if i % 2 else t.accent)
    hx, hy, r = x0 + w * 0.35, y0 + h * 0.55, w * 0.1
    d.line((hx + r, hy, hx + r, y0 + h * 0.05), fill=t.stroke, width=18)
    d.polygon([(hx + r - 9, y0 + h * 0.05), (hx + r + w * 0.28, y0 + h * 0.12), (hx + r + w * 0.28, y0 + h * 0.26),
               (hx + r - 9, y0 + h * 0.2)], fill=t.light, **_outline(t))
    d.ellipse((hx - r, hy - r * 0.8, hx + r, hy + r * 0.8), fill=t.light, **_outline(t))


def education(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    c = (x0 + x1) / 2
    r = w * 0.26
    cy = y0 + h * 0.38
    d.ellipse((c - r, cy - r, c + r, cy + r), fill=t.accent, **_outline(t))
    d.rounded_rectangle((c - r * 0.5, cy + r * 0.8, c + r * 0.5, cy + r * 1.5), radius=10, fill=t.light, **_outline(t))
    for k in range(8):
        a = -math.pi + k * math.pi / 7
        d.line((c + r * 1.25 * math.cos(a), cy + r * 1.25 * math.sin(a), c + r * 1.6 * math.cos(a),
                cy + r * 1.6 * math.sin(a)), fill=t.accent2, width=12)


def beauty(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    x0, y0, x1, _y1 = b
    w = x1 - x0
    for k, (fx, fy, fr) in enumerate(((0.45, 0.45, 0.3), (0.8, 0.2, 0.12), (0.2, 0.82, 0.1))):
        cx, cy, r = x0 + w * fx, y0 + w * fy, w * fr
        pts = []
        for i in range(8):
            rr = r if i % 2 == 0 else r * 0.32
            a = i * math.pi / 4 - math.pi / 2
            pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
        d.polygon(pts, fill=t.accent if k == 0 else t.light, outline=t.stroke, width=6)


def default(d: ImageDraw.ImageDraw, b: Box, t: Theme, rng: random.Random) -> None:
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    c = ((x0 + x1) / 2, (y0 + y1) / 2)
    r = min(w, h) * 0.4
    d.ellipse((c[0] - r, c[1] - r, c[0] + r, c[1] + r), fill=t.accent, **_outline(t))
    s = r * 0.55
    d.polygon([(c[0] - s * 0.6, c[1] - s), (c[0] + s, c[1]), (c[0] - s * 0.6, c[1] + s)], fill=t.light)


FAMILIES: dict[str, Drawing] = {
    "gaming": gaming, "tech": tech, "food": food, "finance": finance, "travel": travel, "fitness": fitness,
    "music": music, "education": education, "beauty": beauty, "default": default,
}
# Every subject a request can name, by the name scenes store (Scene.motifs).
MOTIFS: dict[str, Drawing] = {
    "phone": art.phone, "robot": art.robot, "laptop": art.laptop, "code": art.code, "chip": art.chip,
    "keyboard": art.keyboard, "mouse": art.mouse,
    "camera": art.camera, "headphones": art.headphones, "gamepad": gaming, "clapper": art.clapper, "wow": art.wow,
    "mic": art.mic, "guitar": art.guitar, "piano": art.piano, "notes": art.notes, "pasta": art.pasta,
    "pizza": art.pizza, "burger": art.burger, "coffee": art.coffee, "cake": art.cake, "sushi": art.sushi,
    "plate": art.plate, "apple": art.apple, "money": art.money, "coin": art.coin, "crypto": art.crypto,
    "diamond": art.diamond, "chart": art.chart, "briefcase": art.briefcase, "bag": art.bag,
    "megaphone": art.megaphone, "book": art.book, "gradcap": art.gradcap, "brain": art.brain, "flask": art.flask,
    "atom": art.atom, "rocket": art.rocket, "planet": art.planet, "globe": art.globe, "math": art.math_signs,
    "bulb": art.bulb, "chat": art.chat, "pencil": art.pencil, "palette": art.palette, "plane": art.plane,
    "mountain": art.mountain, "beach": art.beach, "torii": art.torii, "city": art.city, "suitcase": art.suitcase,
    "house": art.house, "car": art.car, "dumbbell": art.dumbbell, "football": art.football,
    "basketball": art.basketball, "trophy": art.trophy, "crown": art.crown, "heart": art.heart,
    "person": art.person, "clock": art.clock, "moon": art.moon, "sun": art.sun, "paw": art.paw, "plant": art.plant,
    "lipstick": art.lipstick, "sparkles": art.sparkles, "shirt": art.shirt, "ghost": art.ghost, "skull": art.skull,
    "magnifier": art.magnifier, "question": art.question, "fire": art.fire, "lightning": art.lightning,
    "warning": art.warning, "lock": art.lock, "calendar": art.calendar, "gift": art.gift, "star": art.star_badge,
    "swords": art.swords, "play": default,
}


def draw_motif(draw: ImageDraw.ImageDraw, name: str, box: Box, theme: Theme, rng: random.Random) -> None:
    """A subject (MOTIFS) or, for scenes stored before motifs, a family (FAMILIES)."""
    MOTIFS.get(name, FAMILIES.get(name, default))(draw, box, theme, rng)


def subject_motif(motifs: tuple[str, ...], family: str) -> str:
    """What a layout draws as the subject: the scene's main motif, else its category's family."""
    return motifs[0] if motifs and motifs[0] in MOTIFS else family


# -- choosing a motif from the request's words ---------------------------------------------------------------------
# First match wins, so the order is the priority: what a story is about (horror, love) before the things in it,
# specific things (phone, pasta, Tokyo) before topics (money, travel), topics before moods and generic words.
# English words match whole, with a plural; "stem*" matches a word start. Persian words match with their suffixes.
WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ghost", ("horror", "ghost", "haunted", "paranormal", "scary", "creepy", "spooky", "halloween", "demon",
               "exorcism", "ترسناک", "روح", "ارواح", "وحشت", "جن", "اجنه", "تسخیر", "شبح")),
    ("magnifier", ("true crime", "mystery", "mysteries", "detective", "investigation", "unsolved", "crime", "case",
                   "clue", "معما", "جنایی", "کارآگاه", "پرونده", "جنایت", "کشف")),
    ("heart", ("love", "relationship", "dating", "date night", "couple", "wedding", "valentine", "crush", "breakup",
               "romance", "romantic", "girlfriend", "boyfriend", "عشق", "عاشقانه", "رابطه", "ازدواج", "عروسی",
               "دوست دختر", "دوست پسر", "ولنتاین")),
    ("phone", ("phone", "smartphone", "iphone", "mobile", "samsung", "galaxy s*", "گوشی", "موبایل", "آیفون",
               "سامسونگ", "تلفن")),
    ("laptop", ("laptop", "macbook", "notebook pc", "computer", "pc", "desktop", "setup", "لپ‌تاپ", "لپتاپ", "لپ تاپ",
                "کامپیوتر", "رایانه")),
    ("robot", ("robot", "android", "ai", "artificial intelligence", "chatgpt", "gpt", "chatbot", "bot", "automation",
               "machine learning", "ربات", "اندروید", "هوش مصنوعی", "چت‌جی‌پی‌تی", "چت جی پی تی")),
    ("code", ("code", "coding", "coder", "programming", "programmer", "python", "javascript", "java", "html", "css",
              "developer", "software", "web dev*", "app dev*", "react", "typescript", "frontend", "backend", "rust",
              "golang", "sql", "github", "git", "برنامه‌نویسی", "برنامه نویسی", "برنامه‌نویس",
              "کدنویسی", "پایتون", "جاوااسکریپت")),
    ("camera", ("camera", "photography", "photographer", "lens", "dslr", "mirrorless", "filmmaking", "vlogging",
                "دوربین", "عکاسی", "عکاس")),
    ("headphones", ("headphone", "headphones", "earbuds", "airpods", "headset", "هدفون", "هندزفری", "ایرپاد")),
    ("chip", ("chip", "cpu", "gpu", "processor", "hardware", "electronics", "gadget", "tech", "technology",
              "پردازنده", "سخت‌افزار", "گجت", "تکنولوژی", "فناوری")),
    ("gamepad", ("game", "gaming", "gamer", "games", "controller", "console", "playstation", "ps5", "ps4", "xbox",
                 "nintendo", "switch game*", "minecraft", "fortnite", "valorant", "gta", "roblox", "speedrun*",
                 "esport*", "بازی", "گیم", "گیمینگ", "گیمر", "کنسول", "پلی‌استیشن", "پلی استیشن", "ایکس باکس",
                 "مینکرفت", "فورتنایت")),
    ("guitar", ("guitar", "guitarist", "acoustic", "rock band", "گیتار")),
    ("piano", ("piano", "pianist", "keyboard lesson*", "پیانو")),
    ("keyboard", ("keyboard", "keyboards", "mechanical keyboard*", "typing", "کیبورد", "صفحه کلید", "تایپ")),
    ("mouse", ("mouse", "gaming mouse", "aiming", "موس")),
    ("mic", ("podcast", "microphone", "mic", "interview", "talk show", "singing", "singer", "karaoke", "stand-up",
             "standup", "پادکست", "میکروفون", "مصاحبه", "خوانندگی", "خواننده", "کارائوکه")),
    ("notes", ("music", "song", "songs", "beat", "beats", "playlist", "album", "dj", "rap", "lofi", "melody",
               "موسیقی", "آهنگ", "موزیک", "رپ", "ملودی")),
    ("clapper", ("movie", "movies", "film", "films", "cinema", "trailer", "series", "netflix", "episode", "director",
                 "tv show", "فیلم", "سینما", "سریال", "تریلر", "کارگردان")),
    ("wow", ("reaction", "react*", "reacting", "shocked", "shocking", "prank", "funny", "omg", "wow", "meme",
             "comedy", "واکنش", "شوکه", "شوک", "خنده‌دار", "خنده دار", "شوخی", "میم", "کمدی")),
    ("sushi", ("sushi", "سوشی")),
    ("pizza", ("pizza", "پیتزا")),
    ("pasta", ("pasta", "spaghetti", "noodle", "noodles", "ramen", "lasagna", "mac and cheese", "پاستا", "ماکارونی",
               "اسپاگتی", "رشته", "نودل", "رامن")),
    ("burger", ("burger", "hamburger", "cheeseburger", "fast food", "fries", "junk food", "همبرگر", "برگر",
                "فست فود", "فست‌فود", "سیب‌زمینی سرخ")),
    ("cake", ("cake", "dessert", "baking", "bake", "cookie", "cookies", "cupcake", "birthday", "pastry", "sweets",
              "کیک", "شیرینی", "دسر", "تولد", "کلوچه")),
    ("coffee", ("coffee", "cafe", "café", "latte", "espresso", "barista", "tea", "قهوه", "کافه", "چای", "اسپرسو")),
    ("apple", ("fruit", "fruits", "healthy eating", "healthy food", "diet", "vegan", "salad", "nutrition",
               "calories", "میوه", "رژیم", "سالاد", "تغذیه", "کالری", "وگان")),
    ("plate", ("food", "foods", "cook*", "recipe", "recipes", "dinner", "lunch", "breakfast", "meal", "meals",
               "kitchen", "chef", "restaurant", "eat", "eating", "mukbang", "street food", "غذا", "آشپزی",
               "دستور پخت", "شام", "ناهار", "صبحانه", "رستوران", "آشپز", "خوراک")),
    ("crypto", ("crypto", "bitcoin", "btc", "ethereum", "blockchain", "nft", "کریپتو", "بیت‌کوین", "بیت کوین",
                "ارز دیجیتال", "رمزارز", "اتریوم")),
    ("chart", ("stock", "stocks", "stock market", "trading", "trader", "invest*", "market", "economy", "analytics",
               "growth", "forex", "بورس", "سهام", "سرمایه‌گذاری", "سرمایه گذاری", "بازار", "اقتصاد", "ترید", "فارکس")),
    ("coin", ("coin", "coins", "savings", "saving money", "save money", "penny", "budgeting", "frugal", "سکه",
              "پس‌انداز", "پس انداز", "صرفه‌جویی")),
    ("money", ("money", "cash", "dollar", "dollars", "$", "income", "salary", "millionaire", "rich", "wealth",
               "earn*", "profit", "side hustle", "passive income", "پول", "مالی", "درآمد", "دلار", "پولدار", "ثروت",
               "میلیونر", "حقوق", "سود")),
    ("diamond", ("diamond", "diamonds", "jewelry", "jewellery", "luxury", "gem", "gems", "الماس", "جواهر", "لوکس")),
    ("car", ("car", "cars", "supercar", "drive", "driving", "road trip", "racing", "tesla", "engine", "ماشین", "خودرو",
             "رانندگی", "اتومبیل", "مسابقه ماشین")),
    ("rocket", ("rocket", "space", "nasa", "spacex", "launch", "astronaut", "moon landing", "موشک", "فضا",
                "فضانورد", "پرتاب")),
    ("planet", ("planet", "planets", "universe", "galaxy", "astronomy", "mars", "saturn", "black hole", "cosmos",
                "سیاره", "کهکشان", "کیهان", "نجوم", "مریخ", "سیاهچاله")),
    ("football", ("football", "soccer", "messi", "ronaldo", "world cup", "fifa", "goal", "goals", "فوتبال", "مسی",
                  "رونالدو", "جام جهانی", "گل")),
    ("basketball", ("basketball", "nba", "dunk", "بسکتبال")),
    ("dumbbell", ("gym", "workout", "workouts", "fitness", "muscle", "bodybuilding", "lifting", "exercise",
                  "exercises", "abs", "weight loss", "lose weight", "training", "باشگاه", "بدنسازی", "تمرین", "عضله",
                  "تناسب اندام", "کاهش وزن", "ورزش")),
    ("paw", ("dog", "dogs", "cat", "cats", "puppy", "kitten", "pet", "pets", "animal", "animals", "سگ", "گربه",
             "حیوان", "حیوانات", "پت")),
    ("plant", ("plant", "plants", "garden", "gardening", "tree", "trees", "eco", "houseplant*", "گیاه", "گل و گیاه",
               "باغ", "باغبانی", "درخت")),
    ("lipstick", ("makeup", "make-up", "lipstick", "cosmetics", "آرایش", "رژ لب", "لوازم آرایش", "میکاپ")),
    ("sparkles", ("beauty", "skincare", "skin care", "glow up", "glow-up", "aesthetic", "زیبایی", "پوست",
                  "مراقبت از پوست")),
    ("shirt", ("fashion", "outfit", "outfits", "clothes", "clothing", "streetwear", "wardrobe", "lookbook", "مد",
               "لباس", "استایل", "پوشاک")),
    ("bag", ("shopping", "haul", "deal", "deals", "sale", "black friday", "buying", "amazon", "خرید", "حراج",
             "تخفیف", "فروشگاه")),
    ("book", ("book", "books", "reading", "novel", "summary", "library", "story", "stories", "audiobook", "کتاب",
              "رمان", "خلاصه", "کتابخانه", "داستان", "مطالعه")),
    ("math", ("math", "maths", "mathematics", "algebra", "calculus", "geometry", "equation", "ریاضی", "جبر",
              "هندسه", "معادله")),
    ("flask", ("science", "chemistry", "experiment", "experiments", "lab", "biology", "علم", "علمی", "شیمی",
               "آزمایش", "زیست")),
    ("atom", ("physics", "atom", "quantum", "nuclear", "فیزیک", "اتم", "کوانتوم", "هسته‌ای")),
    ("brain", ("brain", "psychology", "mind", "memory", "iq", "mental", "neuro*", "focus", "genius", "مغز",
               "روانشناسی", "ذهن", "حافظه", "تمرکز", "نابغه")),
    ("gradcap", ("school", "university", "college", "exam", "exams", "student", "students", "graduation", "course",
                 "degree", "study", "studying", "homework", "مدرسه", "دانشگاه", "کنکور", "امتحان", "دانشجو",
                 "دانش‌آموز", "فارغ‌التحصیلی", "درس", "کلاس")),
    ("palette", ("art", "drawing", "painting", "paint", "design", "designer", "photoshop", "illustration", "logo",
                 "sketch", "هنر", "نقاشی", "طراحی", "فتوشاپ", "تصویرسازی", "لوگو")),
    ("pencil", ("writing", "write", "notes", "essay", "handwriting", "calligraphy", "نوشتن", "نویسندگی", "خوشنویسی",
                "یادداشت")),
    ("torii", ("tokyo", "japan", "japanese", "kyoto", "osaka", "توکیو", "ژاپن", "ژاپنی", "کیوتو")),
    ("city", ("city", "cities", "downtown", "skyscraper", "skyline", "new york", "nyc", "dubai", "london", "paris",
              "manhattan", "urban", "شهر", "دبی", "لندن", "پاریس", "نیویورک", "تهران", "آسمان‌خراش")),
    ("beach", ("beach", "beaches", "island", "islands", "ocean", "sea", "surf", "surfing", "tropical", "maldives",
               "bali", "hawaii", "summer vacation", "ساحل", "دریا", "جزیره", "اقیانوس", "کیش", "شمال")),
    ("mountain", ("mountain", "mountains", "hiking", "hike", "camping", "camp", "nature", "alps", "trek", "trekking",
                  "climbing", "forest", "کوه", "کوهنوردی", "طبیعت", "کمپ", "جنگل", "طبیعت‌گردی")),
    ("plane", ("plane", "flight", "flights", "airport", "airline", "flying", "pilot", "هواپیما", "پرواز", "فرودگاه",
               "خلبان")),
    ("suitcase", ("travel", "traveling", "travelling", "trip", "tour", "abroad", "visa", "packing", "luggage",
                  "vacation", "holiday", "immigration", "moving", "سفر", "چمدان", "مهاجرت", "تور", "ویزا",
                  "مسافرت", "تعطیلات")),
    ("house", ("house", "home", "room", "apartment", "makeover", "interior", "decor", "real estate", "rent",
               "mortgage", "cleaning", "خانه", "اتاق", "دکوراسیون", "آپارتمان", "مسکن", "اجاره", "نظافت")),
    ("skull", ("skull", "death", "dead", "deadly", "danger", "dangerous", "poison", "toxic", "pirate", "survive",
               "survived", "surviving", "survival", "مرگ", "جمجمه", "خطرناک", "سمی", "بقا", "زنده ماندن")),
    ("swords", ("war", "wars", "battle", "fight", "fights", "sword", "medieval", "knight", "viking", "samurai",
                "history", "جنگ", "نبرد", "شمشیر", "مبارزه", "تاریخ", "سامورایی")),
    ("trophy", ("win", "won", "winner", "winning", "champion", "championship", "victory", "award", "awards",
                "tournament", "world record", "trophy", "medal", "قهرمان", "قهرمانی", "برنده", "جایزه", "بردم",
                "پیروزی", "مدال", "رکورد")),
    ("crown", ("king", "queen", "royal", "legend", "legendary", "goat", "empire", "پادشاه", "ملکه", "سلطان",
               "افسانه")),
    ("gift", ("giveaway", "gift", "gifts", "present", "christmas", "unboxing", "surprise", "قرعه‌کشی", "قرعه کشی",
              "هدیه", "کادو", "کریسمس", "آنباکس", "سورپرایز")),
    ("lock", ("security", "hacker", "hackers", "hacking", "hacked", "cyber*", "password", "privacy", "vpn",
              "امنیت", "هکر", "هک", "رمز عبور", "حریم خصوصی")),
    ("briefcase", ("business", "startup", "career", "job", "jobs", "office", "entrepreneur", "resume", "cv",
                   "company", "work", "کسب‌وکار", "کسب و کار", "استارتاپ", "شغل", "کار", "شرکت", "رزومه",
                   "کارآفرینی", "اداره")),
    ("megaphone", ("marketing", "ads", "advertising", "announcement", "promotion", "brand", "branding", "بازاریابی",
                   "تبلیغات", "اطلاعیه", "برند")),
    ("globe", ("world", "geography", "countries", "country", "earth", "global", "language", "languages", "english",
               "دنیا", "جهان", "جغرافیا", "کشور", "کشورها", "زمین", "زبان", "انگلیسی")),
    ("sun", ("morning", "summer", "sunny", "sunrise", "sun", "صبح", "تابستان", "خورشید", "طلوع")),
    ("clock", ("time", "hour", "hours", "minutes", "routine", "productivity", "productive", "schedule", "deadline",
               "clock", "زمان", "ساعت", "روتین", "بهره‌وری", "دقیقه")),
    ("moon", ("sleep", "night", "dream", "dreams", "insomnia", "bedtime", "moon", "خواب", "شب", "رویا", "ماه")),
    ("calendar", ("calendar", "plan", "planning", "planner", "weekly", "monthly", "year in review", "new year",
                  "تقویم", "برنامه‌ریزی", "برنامه ریزی", "سال نو")),
    ("fire", ("hot", "trending", "viral", "spicy", "fire", "lit", "burn", "داغ", "وایرال", "تند", "آتش", "ترند")),
    ("lightning", ("fast", "speed", "quick", "energy", "electric", "power", "charging", "battery", "سریع", "سرعت",
                   "انرژی", "برق", "باتری", "شارژ")),
    ("warning", ("warning", "scam", "scams", "avoid", "mistake", "mistakes", "don't", "dont", "stop", "worst",
                 "never", "هشدار", "کلاهبرداری", "اشتباه", "اشتباهات", "نکنید", "خطر")),
    ("person", ("selfie", "about me", "face reveal", "my life", "day in my life", "introduce myself", "سلفی",
                "زندگی من", "معرفی")),
    ("chat", ("chat", "talk", "talking", "opinion", "storytime", "story time", "rant", "q&a", "advice",
              "discussion", "conversation", "گفتگو", "گپ", "صحبت", "نظر", "مشاوره")),
    ("question", ("why", "what if", "quiz", "question", "questions", "faq", "riddle", "چرا", "سوال", "سؤال",
                  "کوئیز", "چیستان")),
    ("bulb", ("idea", "ideas", "tips", "tricks", "hacks", "explained", "how to", "tutorial", "guide", "learn",
              "learning", "lesson", "secret", "secrets", "ایده", "ترفند", "نکته", "آموزش", "یادگیری", "راهنما",
              "راز", "رازهای")),
    ("star", ("review", "reviews", "rating", "rated", "stars", "favorite", "favourite", "best", "بررسی", "نقد",
              "امتیاز", "محبوب", "بهترین")),
)
# Words that say what a side of a comparison is, though not what a whole request is about ("cheap vs expensive").
SIDE_WORDS: dict[str, str] = {
    "cheap": "coin", "budget": "coin", "poor": "coin", "broke": "coin", "free": "coin", "expensive": "diamond",
    "luxury": "diamond", "rich": "diamond", "premium": "diamond", "flagship": "diamond", "me": "person",
    "myself": "person", "i": "person", "noob": "person", "beginner": "person", "amateur": "person", "pro": "crown",
    "expert": "crown", "master": "crown", "boss": "skull", "day": "sun", "night": "moon", "hot": "fire",
    "healthy": "apple", "junk": "burger", "online": "laptop", "offline": "house", "village": "house",
    "brother": "person", "sister": "person", "mom": "person", "dad": "person", "friend": "person", "wife": "person",
    "husband": "person", "kid": "person", "بچه": "person", "برادر": "person", "خواهر": "person", "دوست": "person",
    "ارزان": "coin", "گران": "diamond", "گرون": "diamond", "فقیر": "coin", "پولدار": "diamond", "من": "person",
    "مبتدی": "person", "حرفه‌ای": "crown", "روز": "sun", "شب": "moon", "سالم": "apple",
}
GENERIC_MOTIF = "play"  # what a request that names nothing shows
# The analysis' categories (core/analysis.py) when no word names a subject.
CATEGORY_MOTIFS: dict[str, str] = {
    "gaming": "gamepad", "tech": "chip", "education": "bulb", "business": "briefcase", "lifestyle": "sun",
    "entertainment": "clapper",
}
# Older families (free-form categories from a language model: "cooking", "fitness") as subjects.
FAMILY_MOTIFS: dict[str, str] = {
    "gaming": "gamepad", "tech": "chip", "food": "plate", "finance": "chart", "travel": "suitcase",
    "fitness": "dumbbell", "music": "music", "education": "bulb", "beauty": "sparkles", "default": GENERIC_MOTIF,
}
_PERSIAN = re.compile(r"[\u0600-\u06FF]")
_PERSIAN_SUFFIXES = ("های", "ها", "ای", "ی", "ام", "ات", "اش", "مان", "تان", "شان", "م", "ت", "ش", "ان", "یی")
_PERSIAN_SUFFIX = f"(?:\u200c?(?:{'|'.join(_PERSIAN_SUFFIXES)}))?"
# Arabic letters as Persian ones (keyboards differ); the two letters case-insensitive matching takes for s and i
# that str.lower keeps ("ſ", "ı"), so the word lookups read what the expressions would.
_LETTERS = str.maketrans({"ي": "ی", "ك": "ک", "ى": "ی", "ſ": "s", "ı": "i"})


def _pattern(word: str) -> str:
    if _PERSIAN.search(word):
        return rf"(?<!\w){re.escape(word)}{_PERSIAN_SUFFIX}(?!\w)"
    if not re.search(r"\w", word):
        return re.escape(word)  # "$"
    if word.endswith("*"):
        return rf"(?<!\w){re.escape(word[:-1])}"
    return rf"(?<!\w){re.escape(word)}(?:s|es)?(?!\w)"


_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class _Index:
    """The motifs' words as lookups among a text's words (what `_pattern`'s expressions find, ~10x cheaper a request):
    a word of word characters is its forms (plural, Persian suffixes) in a dict, "word*" a prefix of a text's
    word; phrases and words with other characters stay regular expressions."""

    forms: dict[str, int]  # a word form -> the first motif (by priority) it names
    prefixes: tuple[tuple[str, int], ...]
    phrases: tuple[tuple[int, re.Pattern[str]], ...]  # by priority


@functools.cache
def _index() -> _Index:
    forms: dict[str, int] = {}
    prefixes: list[tuple[str, int]] = []
    phrases: list[tuple[int, re.Pattern[str]]] = []
    for rank, (_name, words) in enumerate(WORDS):
        rest = []
        for word in (w.lower() for w in words):
            if word.endswith("*") and _TOKEN.fullmatch(word[:-1]):
                prefixes.append((word[:-1], rank))
            elif _TOKEN.fullmatch(word):
                persian = _PERSIAN.search(word)
                for form in (word, *(word + s for s in (_PERSIAN_SUFFIXES if persian else ("s", "es")))):
                    forms.setdefault(form, rank)
            else:
                rest.append(word)
        if rest:
            phrases.append((rank, re.compile("|".join(_pattern(w) for w in rest), re.I)))
    return _Index(forms, tuple(prefixes), tuple(phrases))


def normalise(text: str) -> str:
    """Lower case, Persian letters for Arabic ones (keyboards differ), "ſ" and "ı" as "s" and "i", single spaces."""
    return " ".join(text.translate(_LETTERS).lower().split())


def motif_in(text: str) -> str | None:
    """The subject the words name, by priority (WORDS), or None."""
    cleaned = normalise(text)
    if not cleaned:
        return None
    index, tokens = _index(), _TOKEN.findall(cleaned)
    best = min((index.forms[t] for t in tokens if t in index.forms), default=len(WORDS))
    for prefix, rank in index.prefixes:
        if rank < best and any(t.startswith(prefix) for t in tokens):
            best = rank
    for rank, phrase in index.phrases:
        if rank >= best:
            break
        if phrase.search(cleaned):
            best = rank
            break
    return WORDS[best][0] if best < len(WORDS) else None


def motif_for(text: str, category: str) -> str:
    """The subject for a request: its words, else its category, else the play button."""
    named = motif_in(text)
    if named is not None:
        return named
    category = category.lower()
    return CATEGORY_MOTIFS.get(category) or FAMILY_MOTIFS[category_of(category, "")]


def side_motif(side: str) -> str | None:
    """What one side of a comparison shows when its words name no subject: "cheap" a coin, "me" a person."""
    words = normalise(side).split()
    return next((SIDE_WORDS[w] for w in (" ".join(words), *words) if w in SIDE_WORDS), None)
