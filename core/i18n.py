"""Reply texts in English and Persian. Every user-facing sentence of the core lives here."""

from __future__ import annotations

import string
import unicodedata
from decimal import Decimal

LANGUAGES = ("en", "fa")

TEXTS: dict[str, dict[str, str]] = {
    "welcome": {
        "en": "Hi {name}! I'm Routix. Describe your video and I'll design a 1280x720 thumbnail.\n"
        'Try: Gaming thumbnail "I WON" in red. Put the title in quotes. /help lists every command.',
        "fa": "سلام {name}! من روتیکس هستم. ویدیوی خود را توصیف کنید تا یک تامبنیل ۱۲۸۰×۷۲۰ طراحی کنم.\n"
        "مثال: تامبنیل گیمینگ «بردم!» قرمز. عنوان را داخل گیومه بنویسید. ‎/help همهٔ دستورها را نشان می‌دهد.",
    },
    "help_line": {"en": "/{command} — {description}", "fa": "\u200f‎/{command}‎ — {description}"},
    "help": {
        "en": "Send a description to get a thumbnail; send a follow-up (\"make it red\", \"change the title to "
        "'X'\", \"more minimal\") to refine it.\n\nCommands:\n{commands}",
        "fa": "یک توضیح بفرستید تا تامبنیل بگیرید؛ برای اصلاح، پیام بعدی بفرستید («قرمزش کن»، «عنوان را به «X» "
        "تغییر بده»، «مینیمال‌تر»).\n\nدستورها:\n{commands}",
    },
    "new_conversation": {
        "en": "Fresh start. Describe your next thumbnail.",
        "fa": "از نو شروع کنیم. تامبنیل بعدی را توصیف کنید.",
    },
    "credits": {
        "en": "Balance: {balance} credits ({allowance} allowance + {granted} granted)\nTier: {tier} ({quota} "
        "credits per {period}, watermark {watermark})\nNext refill: {refill}",
        "fa": "موجودی: {balance} اعتبار ({allowance} سهمیه + {granted} هدیه)\nسطح: {tier} ({quota} اعتبار در هر "
        "{period}، واترمارک {watermark})\nشارژ بعدی: {refill}",
    },
    "on": {"en": "on", "fa": "روشن"},
    "off": {"en": "off", "fa": "خاموش"},
    "period_day": {"en": "day", "fa": "روز"},
    "period_week": {"en": "week", "fa": "هفته"},
    "period_month": {"en": "month", "fa": "ماه"},
    "algorithms_header": {"en": "Algorithms (this chat's default: {default}):", "fa": "الگوریتم‌ها (پیش‌فرض این گفتگو: {default}):"},
    "algorithm_line": {"en": "• {id} — {name}: {cost} credits. {description} {state}", "fa": "\u200f• {id} — {name}: {cost} اعتبار. {description} {state}"},
    # What each algorithm of core/algorithms.py is, by id: the catalogue stores the English one
    "about_local": {"en": "Offline designer compositor: instant, free.", "fa": "طراح آفلاین: فوری و رایگان."},
    "about_basic": {"en": "An AI background with our title typography.", "fa": "پس‌زمینهٔ هوش مصنوعی با تایپوگرافی عنوانِ ما."},
    "about_premium": {"en": "Higher-detail AI artwork, tuned for clicks; uses your photo.", "fa": "تصویرسازی هوش مصنوعی با جزئیات بیشتر، ساخته برای کلیک؛ از عکس شما استفاده می‌کند."},
    "about_pro": {"en": "Photo-real AI scenes; your photo cut out beside the title.", "fa": "صحنه‌های واقع‌گرایانهٔ هوش مصنوعی؛ عکس شما بریده‌شده کنار عنوان."},
    "available": {"en": "", "fa": ""},
    "unavailable": {"en": "(not available)", "fa": "(در دسترس نیست)"},
    "disabled": {"en": "(disabled by an admin)", "fa": "(غیرفعال توسط مدیر)"},
    "algorithm_set": {"en": "This chat now uses {name} by default.", "fa": "این گفتگو از این پس به‌طور پیش‌فرض از {name} استفاده می‌کند."},
    "unknown_algorithm": {"en": "There is no algorithm called '{id}'. Choose one of: {ids}.", "fa": "الگوریتمی به نام «{id}» وجود ندارد. یکی از این‌ها را انتخاب کنید: {ids}."},
    "algorithm_unavailable": {"en": "{name} is not available right now. The offline 'local' algorithm always works.", "fa": "\u200f{name} اکنون در دسترس نیست. الگوریتم آفلاین «local» همیشه کار می‌کند."},
    "algorithm_disabled": {"en": "{name} is switched off by an admin right now.", "fa": "\u200f{name} فعلاً توسط مدیر خاموش شده است."},
    "history_header": {"en": "Your recent thumbnails:", "fa": "تامبنیل‌های اخیر شما:"},
    "history_line": {"en": "• {when} — \"{title}\" ({algorithm}, {status})", "fa": "\u200f• {when} — «{title}» ({algorithm}، {status})"},
    "history_empty": {"en": "No thumbnails yet. Describe one to begin.", "fa": "هنوز تامبنیلی ندارید. یکی را توصیف کنید."},
    "nothing_to_redo": {"en": "There is nothing to redo in this chat yet. Describe a thumbnail first.", "fa": "هنوز چیزی در این گفتگو برای تکرار نیست. اول یک تامبنیل را توصیف کنید."},
    "language_set": {"en": "I'll answer in English from now on.", "fa": "از این پس به فارسی پاسخ می‌دهم."},
    "language_usage": {"en": "Usage: /lang en or /lang fa", "fa": "روش استفاده: ‎/lang fa یا ‎/lang en"},
    "empty_request": {"en": "Please describe the thumbnail you want, for example: Tech review \"iPhone 17 Pro\".", "fa": "لطفاً تامبنیلی را که می‌خواهید توصیف کنید، مثلاً: بررسی فناوری «آیفون ۱۷»."},
    "request_too_long": {"en": "That request is too long ({length} characters). Please keep it under {limit}.", "fa": "این درخواست خیلی طولانی است ({length} نویسه). لطفاً کمتر از {limit} نویسه بنویسید."},
    "title_too_long": {"en": "That title is too long for a thumbnail ({length} characters): it would not read at a glance. Please give one of {limit} characters or fewer, in quotes. Nothing was charged.", "fa": "این عنوان برای تامبنیل خیلی بلند است ({length} نویسه) و در یک نگاه خوانده نمی‌شود. لطفاً عنوانی با حداکثر {limit} نویسه داخل گیومه بنویسید. هزینه‌ای کسر نشد."},
    "unknown_command": {"en": "I don't know /{name}. /help lists what I can do.", "fa": "دستور ‎/{name} را نمی‌شناسم. ‎/help کارهایی را که بلدم نشان می‌دهد."},
    "banned": {"en": "Sorry, your account is suspended. Contact the service's admins if you think this is a mistake.", "fa": "متأسفیم، حساب شما مسدود است. اگر فکر می‌کنید اشتباهی رخ داده با مدیران سرویس تماس بگیرید."},
    "not_admin": {"en": "Sorry, only Routix admins can use /{name}.", "fa": "متأسفیم، فقط مدیران روتیکس می‌توانند از ‎/{name} استفاده کنند."},
    "not_chat_admin": {"en": "Sorry, only this chat's admins can change its settings.", "fa": "متأسفیم، فقط مدیران این گفتگو می‌توانند تنظیماتش را تغییر دهند."},
    "watermark_off_needs_admin": {"en": "Only Routix admins can switch the watermark off; free-tier thumbnails carry it.", "fa": "فقط مدیران روتیکس می‌توانند واترمارک را خاموش کنند؛ تامبنیل‌های سطح رایگان واترمارک دارند."},
    "no_credits": {"en": "Not enough credits: {name} costs {cost} and you have {balance}. Your allowance refills on {refill}; the offline 'local' algorithm is free.", "fa": "اعتبار کافی نیست: {name} {cost} اعتبار هزینه دارد و شما {balance} اعتبار دارید. سهمیهٔ شما در {refill} شارژ می‌شود؛ الگوریتم آفلاین «local» رایگان است."},
    "too_many_jobs": {"en": "You already have {count} thumbnails in progress. Please wait for one to finish.", "fa": "شما همین حالا {count} تامبنیل در حال ساخت دارید. لطفاً صبر کنید یکی تمام شود."},
    "queued": {"en": "⏳ In the queue: you are #{position}", "fa": "⏳ در صف: نوبت شما {position}"},
    "stage_analysing": {"en": "🔎 Reading your request…", "fa": "🔎 در حال بررسی درخواست…"},
    "stage_generating": {"en": "🎨 Designing your thumbnail…", "fa": "🎨 در حال طراحی تامبنیل…"},
    "stage_composing": {"en": "🖼 Adding the title and finishing…", "fa": "🖼 افزودن عنوان و پرداخت نهایی…"},
    "stage_uploading": {"en": "📤 Sending…", "fa": "📤 در حال ارسال…"},
    "caption_left_out": {"en": "(No font here draws {characters}: left out of the picture.)", "fa": "(هیچ قلمی در اینجا {characters} را نمی‌کشد: در تصویر نیامد.)"},
    "caption": {"en": "\"{title}\" · {algorithm} · {credits} credits left", "fa": "\u200f«{title}» · {algorithm} · {credits} اعتبار باقی‌مانده"},
    "variations_caption": {"en": "{count} variations of \"{title}\"", "fa": "\u200f{count} نسخهٔ دیگر از «{title}»"},
    "original_caption": {"en": "Full-quality original of \"{title}\" (1280x720 PNG)", "fa": "نسخهٔ اصلی باکیفیت «{title}» (PNG ‏۱۲۸۰×۷۲۰)"},
    "button_regenerate": {"en": "🔁 Regenerate", "fa": "🔁 ساخت دوباره"},
    "button_variations": {"en": "🎲 Variations", "fa": "🎲 نسخه‌های دیگر"},
    "button_original": {"en": "📎 Original", "fa": "📎 فایل اصلی"},
    "button_algorithm": {"en": "{name} · {cost} cr", "fa": "\u200f{name} · {cost} اعتبار"},
    "too_fast": {"en": "You're sending messages faster than I can read them. Please wait a few seconds, then send your request again.", "fa": "پیام‌ها را سریع‌تر از آنچه بتوانم بخوانم می‌فرستید. لطفاً چند ثانیه صبر کنید و دوباره درخواستتان را بفرستید."},
    "generation_gone": {"en": "Sorry, that thumbnail is no longer available. Send a new request.", "fa": "متأسفیم، آن تامبنیل دیگر در دسترس نیست. یک درخواست تازه بفرستید."},
    "failed": {"en": "Sorry, making that thumbnail failed ({reason}). You were not charged; please try again.", "fa": "متأسفیم، ساخت این تامبنیل ناموفق بود ({reason}). هزینه‌ای کسر نشد؛ لطفاً دوباره تلاش کنید."},
    "bad_image_not_image": {"en": "That file isn't an image I can read. Please send a JPEG, PNG or WebP photo.", "fa": "این فایل تصویری نیست که بتوانم بخوانم. لطفاً عکس JPEG، PNG یا WebP بفرستید."},
    "bad_image_too_large": {"en": "That image is too large (limit {limit} MB). Please send a smaller one.", "fa": "این تصویر خیلی بزرگ است (حداکثر {limit} مگابایت). لطفاً تصویر کوچک‌تری بفرستید."},
    "bad_image_shape": {"en": "That image is too long and thin to use (at most 100 times longer than wide, 30,000 pixels a side). Please send a normal photo.", "fa": "این تصویر برای استفاده بیش از حد باریک و دراز است (حداکثر ۱۰۰ برابر طول به عرض و ۳۰٬۰۰۰ پیکسل در هر ضلع). لطفاً یک عکس معمولی بفرستید."},
    "bad_image_scans": {"en": "That JPEG is saved in too many passes to process safely. Please send a normal photo (saving it again in any photo app fixes it).", "fa": "این فایل JPEG در مراحل بسیار زیادی ذخیره شده و پردازش امن آن ممکن نیست. لطفاً یک عکس معمولی بفرستید (ذخیرهٔ دوباره در هر برنامهٔ عکس درستش می‌کند)."},
    "bad_image_bomb": {"en": "That image has too many pixels to process safely. Please send a normal photo.", "fa": "این تصویر برای پردازش امن پیکسل‌های زیادی دارد. لطفاً یک عکس معمولی بفرستید."},
    "usage": {"en": "Usage: /{name} {usage}", "fa": "روش استفاده: ‎/{name} {usage}‎"},
    "user_not_found": {"en": "No user '{ref}'. Use platform:id, e.g. telegram:123456.", "fa": "کاربری با «{ref}» پیدا نشد. از قالب platform:id استفاده کنید، مثلاً telegram:123456."},
    "grant_too_much": {"en": "That would take {user}'s granted credits past {most}; nothing was granted.", "fa": "با این مقدار اعتبارهای اهدایی {user} از {most} بیشتر می‌شود؛ چیزی داده نشد."},
    "post_as_yourself": {"en": "You are posting as the group (an anonymous admin), so I cannot tell who asks or whose credits to use. Please post as yourself to use Routix here.", "fa": "شما به نام گروه پیام می‌دهید (مدیر ناشناس)، پس نمی‌دانم چه کسی درخواست می‌دهد یا اعتبار چه کسی استفاده شود. لطفاً برای استفاده از Routix اینجا با نام خودتان پیام بدهید."},
    "granted": {"en": "Granted {amount} credits to {user}. Their balance: {balance}.", "fa": "\u200f{amount} اعتبار به {user} داده شد. موجودی او: {balance}."},
    "quota_set": {"en": "Tier {tier} now gets {amount} credits per {period}.", "fa": "سطح {tier} از این پس {amount} اعتبار در هر {period} می‌گیرد."},
    "tier_set": {"en": "{user} is now on the {tier} tier.", "fa": "\u200f{user} اکنون در سطح {tier} است."},
    "watermark_set": {"en": "Watermark for this chat: {state}.", "fa": "واترمارک این گفتگو: {state}."},
    "algorithm_toggled": {"en": "{name} is now {state}.", "fa": "\u200f{name} اکنون {state} است."},
    "ban_set": {"en": "{user} is banned.", "fa": "\u200f{user} مسدود شد."},
    "unban_set": {"en": "{user} is no longer banned.", "fa": "\u200f{user} از مسدودی خارج شد."},
    "stats": {"en": "Users: {users} · Generations: {generations} ({completed} completed, {failed} failed) · Credits spent: {spent} · Queue: {queued} waiting, {running} running", "fa": "کاربران: {users} · تامبنیل‌ها: {generations} ({completed} موفق، {failed} ناموفق) · اعتبار خرج‌شده: {spent} · صف: {queued} در انتظار، {running} در حال اجرا"},
    "link_code": {"en": "Your link code: {code}\nSend /link {code} from your other account (Telegram or Discord) within {minutes} minutes to share credits and history.", "fa": "کد اتصال شما: {code}\nظرف {minutes} دقیقه از حساب دیگرتان (تلگرام یا دیسکورد) بفرستید ‎/link {code} تا اعتبار و تاریخچه مشترک شوند."},
    "link_done": {"en": "Linked! Both accounts now share one balance: {balance} credits.", "fa": "متصل شد! هر دو حساب اکنون یک موجودی مشترک دارند: {balance} اعتبار."},
    "link_invalid": {"en": "That link code is invalid or expired. Ask for a new one with /link.", "fa": "این کد اتصال نامعتبر یا منقضی است. با ‎/link یک کد تازه بگیرید."},
    "private_only": {"en": "For your privacy, /{name} works only in a private chat with me (on Discord, also as a slash command).", "fa": "برای حفظ حریم خصوصی شما، ‎/{name} فقط در گفتگوی خصوصی با من کار می‌کند (در دیسکورد، با دستور اسلش هم)."},
    "restarting": {"en": "I'm restarting this very moment: please send that again in a minute. Nothing was charged.", "fa": "همین لحظه در حال راه‌اندازی دوباره هستم: لطفاً یک دقیقهٔ دیگر دوباره بفرستید. هزینه‌ای کسر نشد."},
    "link_busy": {"en": "This account still has a thumbnail in the making. When it is done, ask for a new code with /link on your other account.", "fa": "این حساب هنوز تامبنیلی در حال ساخت دارد. وقتی تمام شد، با ‎/link در حساب دیگرتان یک کد تازه بگیرید."},
    "link_same": {"en": "Those accounts are already linked.", "fa": "این حساب‌ها از قبل به هم متصل‌اند."},
    "settings": {"en": "Settings for this {scope}: watermark {watermark}; default algorithm {algorithm}; channels {channels}.", "fa": "تنظیمات این {scope}: واترمارک {watermark}؛ الگوریتم پیش‌فرض {algorithm}؛ کانال‌ها {channels}."},
    "scope_chat": {"en": "chat", "fa": "گفتگو"},
    "scope_server": {"en": "server", "fa": "سرور"},
    "watermark_auto": {"en": "by tier", "fa": "بر اساس سطح"},
    "all_channels": {"en": "all", "fa": "همه"},
    "channel_not_allowed": {"en": "I make thumbnails in this server's chosen channels only: {channels}.", "fa": "من فقط در کانال‌های انتخاب‌شدهٔ این سرور تامبنیل می‌سازم: {channels}."},
    "channels_set": {"en": "I'll answer in: {channels}.", "fa": "در این کانال‌ها پاسخ می‌دهم: {channels}."},
    "file_too_big_to_download": {"en": "That file is too big for me to download ({size} MB; the limit is {limit} MB).", "fa": "این فایل برای دانلود من خیلی بزرگ است ({size} مگابایت؛ حداکثر {limit} مگابایت)."},
    "photo_download_failed": {"en": "I couldn't fetch your photo from Telegram. Please send it again.", "fa": "نتوانستم عکس شما را از تلگرام دریافت کنم. لطفاً دوباره بفرستید."},
    "not_an_image_file": {"en": "That file isn't an image. Please send a photo (JPEG, PNG or WebP).", "fa": "این فایل تصویر نیست. لطفاً یک عکس (JPEG، PNG یا WebP) بفرستید."},
    "status_completed": {"en": "done", "fa": "انجام شد"},
    "reason_timeout": {"en": "the image service did not answer in time", "fa": "سرویس تصویر به‌موقع پاسخ نداد"},
    "reason_renderer": {"en": "the renderer stopped while drawing it", "fa": "طراح تصویر هنگام ساخت آن متوقف شد"},
    "reason_delivery": {"en": "the chat did not accept the picture", "fa": "گفتگو تصویر را نپذیرفت"},
    "gave_up": {"en": "Sorry, I could not finish \"{title}\": the service restarted while making it. You were not charged; please send it again.", "fa": "متأسفیم، ساخت «{title}» تمام نشد: سرویس هنگام ساخت آن دوباره راه‌اندازی شد. هزینه‌ای کسر نشد؛ لطفاً دوباره بفرستید."},
    "reason_internal": {"en": "an internal error", "fa": "یک خطای داخلی"},
    "moderated": {"en": "Sorry, I can't make that picture: the safety check flagged the request ({reason}). You were not charged.", "fa": "متأسفیم، نمی‌توانم این تصویر را بسازم: بررسی ایمنی درخواست را علامت زد ({reason}). هزینه‌ای کسر نشد."},
    "flag_blocked-word": {"en": "a blocked word", "fa": "یک واژهٔ ممنوع"},
    "flag_sexual": {"en": "sexual content", "fa": "محتوای جنسی"},
    "flag_violence": {"en": "violence", "fa": "خشونت"},
    "flag_hate": {"en": "hate", "fa": "نفرت‌پراکنی"},
    "flag_harassment": {"en": "harassment", "fa": "آزار"},
    "flag_self-harm": {"en": "self-harm", "fa": "آسیب به خود"},
    "flag_illicit": {"en": "illegal activity", "fa": "فعالیت غیرقانونی"},
    "flag_other": {"en": "unsafe content", "fa": "محتوای ناامن"},
    "provider_failed": {"en": "Sorry, {name} could not make that picture ({reason}). You were not charged. The free Local algorithm can make it now:", "fa": "متأسفیم، {name} نتوانست این تصویر را بسازد ({reason}). هزینه‌ای کسر نشد. الگوریتم رایگان Local همین حالا می‌تواند آن را بسازد:"},
    "provider_filtered": {"en": "Sorry, {name}'s safety filter refused that picture. You were not charged. Try other words, or the free Local algorithm:", "fa": "متأسفیم، فیلتر ایمنی {name} این تصویر را نپذیرفت. هزینه‌ای کسر نشد. واژه‌های دیگری امتحان کنید، یا الگوریتم رایگان Local را:"},
    "reason_filtered": {"en": "its safety filter refused it", "fa": "فیلتر ایمنی آن را نپذیرفت"},
    "reason_refused": {"en": "the AI service rejected the request", "fa": "سرویس هوش مصنوعی درخواست را رد کرد"},
    "reason_auth": {"en": "the AI service is not set up correctly; the admins can see why", "fa": "سرویس هوش مصنوعی درست تنظیم نشده است؛ مدیران علت را می‌بینند"},
    "reason_busy": {"en": "the AI service is too busy right now", "fa": "سرویس هوش مصنوعی الان خیلی شلوغ است"},
    "reason_down": {"en": "the AI service is not answering", "fa": "سرویس هوش مصنوعی پاسخ نمی‌دهد"},
    "reason_too_large": {"en": "the AI service sent back more than a picture", "fa": "سرویس هوش مصنوعی چیزی بیش از یک تصویر فرستاد"},
    "budget_reached": {"en": "Sorry, the service's AI spending limit for {provider} was reached, so paid pictures are paused until {until}. You were not charged. The free Local algorithm works now:", "fa": "متأسفیم، سقف هزینهٔ هوش مصنوعی سرویس برای {provider} پر شده و تصاویر پولی تا {until} متوقف‌اند. هزینه‌ای کسر نشد. الگوریتم رایگان Local همین حالا کار می‌کند:"},
    "algorithm_over_budget": {"en": "{name} is paused until {until}: the service's AI spending limit was reached. The free 'local' algorithm works now.", "fa": "\u200f{name} تا {until} متوقف است: سقف هزینهٔ هوش مصنوعی سرویس پر شده است. الگوریتم رایگان «local» همین حالا کار می‌کند."},
    "store_unavailable": {"en": "Sorry, Routix can't reach its database for a moment, so nothing was done and nothing was charged. Please send that again in a minute.", "fa": "متأسفیم، روتیکس لحظه‌ای به پایگاه داده‌اش دسترسی ندارد؛ پس کاری انجام نشد و هزینه‌ای کسر نشد. لطفاً یک دقیقهٔ دیگر دوباره بفرستید."},
    "forget_ask": {"en": "/forget confirm deletes every thumbnail you made here, your reference photos and their files, for good. Your credits and account stay.", "fa": "\u200f‎/forget confirm همهٔ تامبنیل‌هایی که ساخته‌اید، عکس‌های مرجع و فایل‌هایشان را برای همیشه حذف می‌کند. اعتبار و حساب شما می‌ماند."},
    "forget_busy": {"en": "You have thumbnails in progress. Please wait for them to finish, then send /forget confirm again.", "fa": "تامبنیل‌هایی در حال ساخت دارید. لطفاً صبر کنید تمام شوند و دوباره ‎/forget confirm را بفرستید."},
    "forget_done": {"en": "Done. Deleted: thumbnails {count}, files {files}. Your credits are untouched.", "fa": "انجام شد: {count} تامبنیل و {files} فایل حذف شد. اعتبار شما دست‌نخورده است."},
    "button_try_local": {"en": "🖼 Try Local (free)", "fa": "🖼 امتحان Local (رایگان)"},
    "budget_set": {"en": "Budget for {provider}: ${usd} per {period}. Spent so far this {period}: ${spent}.", "fa": "بودجهٔ {provider}: {usd} دلار در هر {period}. خرج‌شده در این {period}: {spent} دلار."},
    "budget_list": {"en": "Budgets: {budgets}", "fa": "بودجه‌ها: {budgets}"},
    "budget_line": {"en": "{provider} ${spent} / ${usd} per {period}", "fa": "\u200f{provider}: {spent} از {usd} دلار در هر {period}"},
    "budget_none": {"en": "No budgets set: paid algorithms spend without a limit. Set one with /budget <provider|all> <usd> <day|month>.", "fa": "هیچ بودجه‌ای تعیین نشده است: الگوریتم‌های پولی بدون سقف خرج می‌کنند. با ‎/budget <provider|all> <usd> <day|month>‎ تعیین کنید."},
    "stats_spend": {"en": "AI spend today: {today} · this month: {month}", "fa": "هزینهٔ هوش مصنوعی امروز: {today} · این ماه: {month}"},
    "spend_none": {"en": "nothing", "fa": "هیچ"},
    "list_comma": {"en": ", ", "fa": "، "},
    "list_semicolon": {"en": "; ", "fa": "؛ "},
    "spend_total": {"en": "${usd}: {items}", "fa": "\u200f{usd} دلار: {items}"},
    "spend_item": {"en": "{source} ${usd} ({count})", "fa": "\u200f{source} {usd} دلار ({count})"},
    "status_failed": {"en": "failed", "fa": "ناموفق"},
    "status_queued": {"en": "queued", "fa": "در صف"},
    "status_processing": {"en": "in progress", "fa": "در حال ساخت"},
    "status_cancelled": {"en": "cancelled", "fa": "لغو شد"},
    "never": {"en": "no refill", "fa": "بدون شارژ"},
}


def normalize_language(code: str | None) -> str:
    """Map a platform locale ("fa-IR", "en-US", None) to a supported language."""
    if code and code.lower().split("-")[0].split("_")[0] in LANGUAGES:
        return code.lower().split("-")[0].split("_")[0]
    return "en"


_PERSIAN_DIGITS = str.maketrans("0123456789.", "۰۱۲۳۴۵۶۷۸۹٫")
LRM, FSI, PDI = "\u200e", "\u2068", "\u2069"  # bidi marks: left-to-right mark, first-strong isolate and its end
_FORMATTER = string.Formatter()


def has_text(key: str) -> bool:
    return key in TEXTS


def translate(language: str, key: str, **values: object) -> str:
    entry = TEXTS[key]
    template = entry.get(language) or entry["en"]
    if not values:
        return template
    if language == "fa":
        return _persian(template, values)
    return template.format(**values)


def _persian(template: str, values: dict[str, object]) -> str:
    """Numbers in Persian digits; Latin values (titles, names, ids, dates) each in a bidi isolate, so the
    right-to-left line keeps its order around them ("«I WON» · Local" would otherwise run left to right).
    Values inside a command ("\u200e/link {code}") stay bare: the LRM keeps command and arguments one
    left-to-right run, which an isolate would cut off its slash."""
    parts: list[str] = []
    in_command = False
    for literal, field, spec, conversion in _FORMATTER.parse(template):
        parts.append(literal)
        in_command = _command_goes_on(literal, in_command)
        if field is not None:
            value = _FORMATTER.convert_field(_persian_number(_FORMATTER.get_field(field, (), values)[0]), conversion)
            shown = _FORMATTER.format_field(value, spec or "")
            parts.append(shown if in_command else _isolated(shown))
    return "".join(parts)


def _command_goes_on(literal: str, in_command: bool) -> bool:
    """A command starts at an LRM and ends at the next Persian letter."""
    _, mark, after = literal.rpartition(LRM)
    return (bool(mark) or in_command) and not any(_is_rtl(char) for char in (after if mark else literal))


def _isolated(text: str) -> str:
    """Latin text isolated; Persian text needs nothing, and an isolate cannot span lines."""
    latin = any(unicodedata.bidirectional(char) == "L" or char in "0123456789" for char in text)
    return f"{FSI}{text}{PDI}" if latin and "\n" not in text else text


def _is_rtl(char: str) -> bool:
    return unicodedata.bidirectional(char) in ("R", "AL")


def _persian_number(value: object) -> object:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value).translate(_PERSIAN_DIGITS)
    return value
