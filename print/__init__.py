"""The printed products of a Tauschring: plain dataclasses in, PDF bytes out (reportlab only).

    from print.data import Edition, PaperMember, ...      # the input contract
    from print.newspaper import render_newspaper, render_large_print, render_contact_list
    from print.inserts import render_inserts
    from print.vouchers import render_blank_vouchers

Never write `import print` or `import print.x`: that rebinds the builtin `print`.
"""
